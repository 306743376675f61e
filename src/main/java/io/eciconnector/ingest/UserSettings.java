package io.eciconnector.ingest;

import java.util.Map;

import io.smallrye.config.ConfigMapping;

/** User matching (prefix {@code eci.users}). */
@ConfigMapping(prefix = "eci.users")
public interface UserSettings {

    /**
     * Per vendor, the User field holding the vendor's user id (Aircall, Dialpad, RingCentral: e.g.
     * Aircall_User_Identifier__c) or, for amazon-connect, the agent's login username (e.g.
     * Amazon_Connect_Username__c).
     */
    Map<String, String> matchField();
}
