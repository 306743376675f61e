package io.eciconnector.samples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.apache.camel.quarkus.main.events.BeforeConfigure;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import io.eciconnector.ledger.Ledger;
import io.eciconnector.salesforce.SalesforceApi;

/**
 * With eci.samples.generate-on-start=true (the README's main job), writes the sample drop folder into the inbox
 * before the routes start, and the sample Contact Lens stream once the org has answered a login (as a telephony
 * system streams calls while the connector runs: the agent is matched against the org's users, which cannot be read
 * before). Off by default.
 * <p>
 * Each start is a run: run 1 writes the documented ids; when the ledger already holds them (a second run in the same
 * directory), the next run's samples get new ids ({@code SAMPLE-0001-R2}, other contact ids), so a second run creates
 * its calls and sends its signals too instead of finding them all done.
 */
@ApplicationScoped
public class SamplesOnStart {

    private static final Logger LOG = Logger.getLogger(SamplesOnStart.class);
    /** How long the stream waits for the org's first answer before it is written anyway. */
    static final Duration ORG_WAIT = Duration.ofMinutes(2);

    @Inject
    io.eciconnector.salesforce.EmbeddedOrg sandbox;

    @Inject
    Ledger ledger;

    @Inject
    SalesforceApi api;

    void beforeConfigure(@Observes BeforeConfigure event) {
        Config config = ConfigProvider.getConfig();
        if (!config.getOptionalValue("eci.samples.generate-on-start", Boolean.class).orElse(false)) {
            return;
        }
        Path inbox = Path.of(config.getOptionalValue("eci.ingest.folder.dir", String.class).orElse("data/inbox"));
        int count = config.getOptionalValue("eci.samples.count", Integer.class).orElse(12);
        int run = run();
        try {
            int files = new SampleGenerator().generate(new SampleGenerator.Options(inbox, count, true, 42, null, 1, run))
                    .size();
            LOG.infof("Sample data (run %d): %d files written to %s, calls %s to %s and four that break a rule", run,
                    files, inbox.toAbsolutePath(), SampleGenerator.id("SAMPLE-0001", run),
                    SampleGenerator.id(String.format("SAMPLE-%04d", count), run));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the sample data", e);
        }
        Path streams = Path.of(config.getOptionalValue("eci.signals.folder.dir", String.class).orElse("data/signals-inbox"));
        Path postCall = Path.of(config.getOptionalValue("eci.signals.postcall-folder.dir", String.class)
                .orElse("data/postcall-inbox"));
        Instant start = Instant.now().minusSeconds(600).truncatedTo(ChronoUnit.MINUTES);
        Thread writer = new Thread(() -> writeStreamOnceTheOrgAnswers(streams, postCall, start, run), "eci-sample-stream");
        writer.setDaemon(true);
        writer.start();
    }

    /** 1 + the runs whose samples the ledger already holds. */
    int run() {
        int run = 1;
        while (!ledger.findByExternalId(SampleGenerator.id("SAMPLE-0001", run)).isEmpty()) {
            run++;
        }
        return run;
    }

    void writeStreamOnceTheOrgAnswers(Path streams, Path postCall, Instant start, int run) {
        long deadline = System.nanoTime() + ORG_WAIT.toNanos();
        try {
            while (!Boolean.TRUE.equals(api.loginWorks()) && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            if (!Boolean.TRUE.equals(api.loginWorks())) {
                LOG.warnf("The org has not answered a login within %s: the sample stream is written anyway (its agent "
                        + "will not be matched)", ORG_WAIT);
            }
            SampleStream stream = new SampleStream(run);
            List<String> keys = stream.keys();
            // the telephony side knows a call once its telephony system created it (before its first signal)
            if (sandbox.enabled()) {
                keys.forEach(sandbox::registerTelephonyCall);
            }
            stream.generate(streams, postCall, start);
            LOG.infof("Sample Contact Lens stream (run %d, contacts %s) written to %s, its post-call file to %s", run,
                    keys, streams.toAbsolutePath(), postCall.toAbsolutePath());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            LOG.errorf(e, "cannot write the sample stream: %s", e.toString());
        }
    }
}
