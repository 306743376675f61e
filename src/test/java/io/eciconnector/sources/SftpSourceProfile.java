package io.eciconnector.sources;

import java.util.List;
import java.util.Map;

import io.eciconnector.ingest.FlowProfile;
import io.quarkus.test.junit.QuarkusTestProfile;

/** routes/ingest-sftp.yaml on (generic records), against an in-process SFTP server. */
public class SftpSourceProfile implements QuarkusTestProfile {

    @Override
    public String getConfigProfile() {
        return "sftpsource";
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> m = FlowProfile.forSource("sftp");
        return m;
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(SftpServerResource.class));
    }
}
