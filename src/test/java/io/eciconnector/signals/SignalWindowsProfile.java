package io.eciconnector.signals;

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
        Map<String, String> m = FlowProfile.variant("signal-windows");
        m.put("eci.telephony.realtime-window", "1H");
        m.put("eci.telephony.bulk-window", "5S");
        return m;
    }
}
