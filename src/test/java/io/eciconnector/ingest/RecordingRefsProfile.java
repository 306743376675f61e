package io.eciconnector.ingest;

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
        Map<String, String> m = FlowProfile.variant("refs");
        return m;
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(RecordingRefsServer.class));
    }
}
