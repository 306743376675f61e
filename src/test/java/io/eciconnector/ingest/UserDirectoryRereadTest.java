package io.eciconnector.ingest;

import static io.eciconnector.ingest.Drops.call;
import static io.eciconnector.ingest.Drops.drop;
import static io.eciconnector.ingest.Drops.state;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.eciconnector.ledger.CallRow;
import io.eciconnector.ledger.Ledger;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/**
 * Issue 11 item 11: with the user directory otherwise read hourly, a call whose user is not in the directory read
 * makes it be read again (at most once per eci.users.reread-on-miss), so a user added in Salesforce since is matched
 * (before: skipped as user-unmatched until the next refresh).
 */
@QuarkusTest
@TestProfile(EventsProfile.class)
class UserDirectoryRereadTest {

    static final String FINN = "0055e00000Finn0AAB";

    @Inject
    Ledger ledger;

    @Test
    void aUserAddedInSalesforceIsMatchedWithoutWaitingForTheRefresh() throws Exception {
        drop("REREAD-WARMUP", 30); // the directory is read for this call
        await().atMost(Duration.ofSeconds(30)).until(() -> "UPLOADED".equals(state("REREAD-WARMUP")));
        given().contentType(ContentType.JSON)
                .body(Map.of("id", FINN, "email", "finn.agent@eci-sandbox.example", "callCoaching", false))
                .post("/sandbox/users").then().statusCode(200);
        Map<String, Object> c = call("REREAD-FINN", 60);
        c.put("userEmail", "finn.agent@eci-sandbox.example");
        c.put("toPhoneNumber", "+14155550199"); // nobody's number: the e-mail alone can match
        drop("REREAD-FINN.json", List.of(c));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> Set.of("SKIPPED", "UPLOADED", "DEAD").contains(String.valueOf(state("REREAD-FINN"))));
        CallRow row = ledger.find("generic", "REREAD-FINN").orElseThrow();
        // matched to Finn (who is no call-coaching user), not "no Salesforce user matched"
        assertEquals("user-not-coached", row.reasonCode(), row.reason());
        assertEquals(FINN, row.userId());
    }
}
