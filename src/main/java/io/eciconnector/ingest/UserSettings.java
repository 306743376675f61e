package io.eciconnector.ingest;

import java.time.Duration;
import java.util.Map;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** User matching (prefix {@code eci.users}). */
@ConfigMapping(prefix = "eci.users")
public interface UserSettings {

    /**
     * Per vendor, the User field holding the vendor's user id (Aircall, Dialpad, RingCentral: e.g.
     * Aircall_User_Identifier__c) or, for amazon-connect, the agent's login username (e.g.
     * Amazon_Connect_Username__c).
     */
    Map<String, String> matchField();

    /**
     * A call whose user matches nobody in the directory makes the directory be read again (one query), at most once
     * this often, so a user added in Salesforce is matched without waiting for the next refresh. 0: never.
     */
    @WithDefault("1M")
    Duration rereadOnMiss();
}
