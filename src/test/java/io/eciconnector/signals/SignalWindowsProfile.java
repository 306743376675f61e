package io.eciconnector.signals;

import java.util.HashMap;
import java.util.Map;

import io.eciconnector.ingest.FlowProfile;
import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * The flow profile with long send windows, so what goes out at once does so because of its rule, not a window: a
 * realtime window of an hour, a bulk window of 5 s. Its own ledger and sandbox.
 */
public class SignalWindowsProfile implements QuarkusTestProfile {

    @Override
    public String getConfigProfile() {
        return "flow";
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> m = new HashMap<>(new FlowProfile().getConfigOverrides());
        m.put("eci.sandbox.work-dir", "target/sandbox-signal-windows");
        m.put("eci.ledger.url", "jdbc:h2:mem:signal-windows;DB_CLOSE_DELAY=-1");
        m.put("eci.telephony.realtime-window", "1H");
        m.put("eci.telephony.bulk-window", "5S");
        return m;
    }
}
