package io.eciconnector.ingest;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** The flow profile with the call-coaching status otherwise read only hourly: changes must come by event. */
public class EventsProfile implements QuarkusTestProfile {

    @Override
    public String getConfigProfile() {
        return "events";
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> m = FlowProfile.forSource("folder");
        m.put("eci.ingest.folder.enabled", "true");
        m.put("eci.callcoaching.refresh-interval", "1H");
        m.put("eci.users.reread-on-miss", "1S"); // a miss reads the directory again at once (default 1 min)
        return m;
    }
}
