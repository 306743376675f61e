package io.eciconnector.ingest;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** The flow settings with a recording server whose URL prefixes are the allow-list (RecordingRefsServer). */
public class RecordingRefsProfile implements QuarkusTestProfile {

    @Override
    public String getConfigProfile() {
        return "flow";
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> m = new HashMap<>(new FlowProfile().getConfigOverrides());
        m.put("eci.ledger.url", "jdbc:h2:mem:refs;DB_CLOSE_DELAY=-1");
        m.put("eci.sandbox.work-dir", "target/sandbox-refs");
        return m;
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(RecordingRefsServer.class));
    }
}
