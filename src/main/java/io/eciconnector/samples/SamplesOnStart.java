package io.eciconnector.samples;

import java.io.IOException;
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
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the sample data", e);
        }
    }
}
