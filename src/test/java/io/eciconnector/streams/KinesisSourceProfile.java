package io.eciconnector.streams;

import java.util.List;
import java.util.Map;

import io.eciconnector.ingest.FlowProfile;
import io.quarkus.test.junit.QuarkusTestProfile;

/** routes/signals-kinesis.yaml on (with the product's other routes) against kinesalite, polled every 100 ms. */
public class KinesisSourceProfile implements QuarkusTestProfile {

    /** The flow settings of a stream-source test: its own sandbox and ledger, the file sources off, test hooks on. */
    static Map<String, String> forStream(String name) {
        Map<String, String> m = FlowProfile.variant(name);
        m.put("eci.ingest.folder.enabled", "false");
        m.put("eci.signals.folder.enabled", "false");
        m.put("eci.signals.postcall-folder.enabled", "false");
        m.put("eci.signals." + name + ".enabled", "true");
        m.put("eci.test.stream-hooks", "true");
        return m;
    }

    @Override
    public String getConfigProfile() {
        return "kinesissource";
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> m = forStream("kinesis");
        m.put("eci.signals.kinesis.poll-ms", "100");
        m.put("eci.signals.kinesis.shard-monitor-ms", "1000");
        return m;
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(KinesaliteResource.class));
    }
}
