package io.eciconnector.sandbox;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.salesforce.AuthenticationType;
import org.apache.camel.component.salesforce.SalesforceComponent;
import org.apache.camel.component.salesforce.internal.SalesforceSession;
import org.apache.camel.support.jsse.KeyStoreParameters;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** The OAuth 2.0 token endpoint, as camel-salesforce uses it. */
@QuarkusTest
class OAuthConformanceTest extends SandboxTestSupport {

    static final String CLIENT_ID = "eci-connector-sandbox";
    static final String USERNAME = "integration@eci-sandbox.example";

    @TestHTTPResource("/")
    URL base;

    private static io.restassured.response.ValidatableResponse token(Map<String, String> form) {
        return given().formParams(form).post("/services/oauth2/token").then();
    }

    private String assertion(java.security.PrivateKey key, String sub, long exp) throws Exception {
        return sign(key, "{\"iss\":\"" + CLIENT_ID + "\",\"sub\":\"" + sub + "\",\"aud\":\"https://login.salesforce.com\","
                + "\"exp\":\"" + exp + "\"}");
    }

    @Test
    void clientCredentialsAndPasswordFlows() {
        token(Map.of("grant_type", "client_credentials", "client_id", CLIENT_ID, "client_secret", "sandbox-client-secret"))
                .statusCode(200).body("access_token", notNullValue()).body("token_type", equalTo("Bearer"))
                .body("instance_url", matchesPattern("http://[^/]+"))
                .body("id", matchesPattern("http://[^/]+/id/" + ORG_ID + "/0055e000000IntgAAC"))
                .body("issued_at", matchesPattern("\\d{13}")).body("signature", notNullValue());
        token(Map.of("grant_type", "client_credentials", "client_id", CLIENT_ID, "client_secret", "wrong"))
                .statusCode(400).body("error", equalTo("invalid_client"));
        token(Map.of("grant_type", "password", "client_id", CLIENT_ID, "client_secret", "sandbox-client-secret",
                "username", USERNAME, "password", "sandbox-password")).statusCode(200);
        token(Map.of("grant_type", "password", "client_id", CLIENT_ID, "client_secret", "sandbox-client-secret",
                "username", USERNAME, "password", "guess")).statusCode(400).body("error", equalTo("invalid_grant"));
        token(Map.of("grant_type", "authorization_code", "code", "x")).statusCode(400)
                .body("error", equalTo("unsupported_grant_type"));
    }

    @Test
    void jwtBearerFlowChecksSignatureSubjectAndExpiry() throws Exception {
        long exp = System.currentTimeMillis() / 1000 + 180;
        String grant = "urn:ietf:params:oauth:grant-type:jwt-bearer";
        token(Map.of("grant_type", grant, "assertion", assertion(oauthClientKey(), USERNAME, exp))).statusCode(200)
                .body("access_token", notNullValue());
        token(Map.of("grant_type", grant, "assertion", assertion(otherKey(), USERNAME, exp))).statusCode(400)
                .body("error", equalTo("invalid_grant"))
                .body("error_description", equalTo("JWT signature does not verify with the registered public key"));
        token(Map.of("grant_type", grant, "assertion", assertion(oauthClientKey(), "someone@else", exp))).statusCode(400)
                .body("error", equalTo("invalid_grant"));
        token(Map.of("grant_type", grant, "assertion", assertion(oauthClientKey(), USERNAME, exp - 3600)))
                .statusCode(400).body("error_description", equalTo("expired authorization code"));
    }

    @Test
    void camelSalesforceLogsInWithTheJwtFlowAndRefreshesOnceOn401() throws Exception {
        SalesforceComponent sf = new SalesforceComponent();
        sf.setLoginUrl(base.toString().replaceAll("/$", ""));
        sf.setClientId(CLIENT_ID);
        sf.setUserName(USERNAME);
        sf.setAuthenticationType(AuthenticationType.JWT);
        KeyStoreParameters keystore = new KeyStoreParameters();
        keystore.setResource("file:" + WORK_DIR.resolve(SandboxKeys.KEYSTORE_FILE));
        keystore.setPassword("sandbox-keystore");
        keystore.setType("PKCS12");
        sf.setKeystore(keystore);
        try (CamelContext camel = io.eciconnector.testing.PlainCamel.context()) {
            camel.addComponent("salesforce", sf);
            camel.start();
            // the connector in this application logs in to the same sandbox on its own schedule (a reset revokes its
            // token too), so the sandbox's count of token requests is not this client's: count its logins here
            String first = sf.getSession().getAccessToken();
            assertTrue(first != null, "logged in at start");
            List<String> logins = new CopyOnWriteArrayList<>();
            sf.getSession().addListener(new SalesforceSession.SalesforceSessionListener() {
                @Override
                public void onLogin(String accessToken, String instanceUrl) {
                    logins.add(accessToken);
                }

                @Override
                public void onLogout() {
                }
            });
            ProducerTemplate producer = camel.createProducerTemplate();
            String uri = "salesforce:raw?rawPath=/services/data/v60.0/limits&rawMethod=GET";
            String limits = producer.requestBody(uri, null, String.class);
            assertTrue(limits.contains("DailyApiRequests"), limits);
            given().contentType(ContentType.JSON).body(Map.of("endpoint", "limits", "action", "expire-token"))
                    .post("/sandbox/faults").then().statusCode(201);
            limits = producer.requestBody(uri, null, String.class);
            assertTrue(limits.contains("DailyApiRequests"), limits);
            Map<String, Integer> counts = given().get("/sandbox/requests").path("byEndpoint");
            assertEquals(1, logins.size(), "logins after the one at start: " + logins.size());
            assertTrue(!first.equals(logins.get(0)), "the refresh brought a new token");
            assertTrue(counts.get("oauth.token") >= 2, counts.toString());
            assertEquals(3, counts.get("limits"), counts.toString());
        }
    }
}
