package io.eciconnector.sources;

import java.util.HashMap;
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
        Map<String, String> m = new HashMap<>(new FlowProfile().getConfigOverrides());
        m.put("eci.sandbox.work-dir", "target/sandbox-sftp");
        m.put("eci.ledger.url", "jdbc:h2:mem:sftpsource;DB_CLOSE_DELAY=-1");
        m.put("eci.ingest.folder.enabled", "false");
        m.put("eci.ingest.sftp.enabled", "true");
        m.put("eci.ingest.sftp.poll-ms", "300");
        return m;
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(SftpServerResource.class));
    }
}
