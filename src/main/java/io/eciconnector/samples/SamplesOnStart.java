package io.eciconnector.samples;

import java.io.IOException;
import java.time.Instant;
import java.util.List;

import jakarta.inject.Inject;
import java.io.UncheckedIOException;
import java.nio.file.Path;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.camel.quarkus.main.events.BeforeConfigure;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * With eci.samples.generate-on-start=true (the README's main job), writes the sample drop folder into the inbox
 * before the routes start. Off by default.
 */
@ApplicationScoped
public class SamplesOnStart {

    private static final Logger LOG = Logger.getLogger(SamplesOnStart.class);

    @Inject
    io.eciconnector.sandbox.Sandbox sandbox;

    void beforeConfigure(@Observes BeforeConfigure event) {
        Config config = ConfigProvider.getConfig();
        if (!config.getOptionalValue("eci.samples.generate-on-start", Boolean.class).orElse(false)) {
            return;
        }
        Path inbox = Path.of(config.getOptionalValue("eci.ingest.folder.dir", String.class).orElse("data/inbox"));
        int count = config.getOptionalValue("eci.samples.count", Integer.class).orElse(12);
        try {
            int files = new SampleGenerator().generate(new SampleGenerator.Options(inbox, count, true, 42, null, 1)).size();
            LOG.infof("Sample data: %d files written to %s", files, inbox.toAbsolutePath());
            Path streams = Path.of(config.getOptionalValue("eci.signals.folder.dir", String.class).orElse("data/signals-inbox"));
            Path postCall = Path.of(config.getOptionalValue("eci.signals.postcall-folder.dir", String.class)
                    .orElse("data/postcall-inbox"));
            List<String> keys = new SampleStream().generate(streams, postCall, Instant.now().minusSeconds(600).truncatedTo(java.time.temporal.ChronoUnit.MINUTES));
            // the telephony side knows a call once its telephony system created it; here the sample's calls
            if (sandbox.enabled()) {
                keys.forEach(k -> sandbox.state().registerTelephonyCall(k));
            }
            LOG.infof("Sample Contact Lens stream written to %s, its post-call file to %s", streams.toAbsolutePath(),
                    postCall.toAbsolutePath());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the sample data", e);
        }
    }
}
