package io.eciconnector.ingest;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** The flow profile with short budget pauses, so that resuming by itself can be seen. */
public class BudgetProfile implements QuarkusTestProfile {

    @Override
    public String getConfigProfile() {
        return "budget";
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> m = FlowProfile.forSource("folder");
        m.put("eci.sandbox.work-dir", "target/sandbox-budget");
        m.put("eci.ledger.url", "jdbc:h2:mem:budget;DB_CLOSE_DELAY=-1");
        m.put("eci.ingest.folder.enabled", "true");
        m.put("eci.budget.pause-check", "1S");
        m.put("eci.budget.limit-exceeded-pause", "2S");
        return m;
    }
}
