package io.eciconnector.sandbox;

import static io.restassured.RestAssured.given;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.RSASSASigner;

import io.restassured.http.ContentType;

/** Shared by the sandbox conformance tests: a clean org per test, tokens, signed JWTs. */
abstract class SandboxTestSupport {

    static final String V = "/services/data/v60.0";
    static final String ORG_ID = "00D5e000000Sbx0EAC";
    static final String CALL_CENTER = "ECI_Sandbox_Call_Center";
    static final String AVA = "0055e000001Ava0AAC";
    static final String AVA_EMAIL = "ava.agent@eci-sandbox.example";
    static final String BEN = "0055e000001Ben0AAC";
    static final String DAN_NOT_COACHED = "0055e000001Dan0AAC";
    static final String EVE_INACTIVE = "0055e000001Eve0AAC";
    static final Path WORK_DIR = Path.of("target/sandbox-test");

    @BeforeEach
    void resetSandbox() {
        given().post("/sandbox/reset").then().statusCode(200);
    }

    static String token() {
        return given().formParams(Map.of("grant_type", "client_credentials", "client_id", "eci-connector-sandbox",
                "client_secret", "sandbox-client-secret")).post("/services/oauth2/token").then().statusCode(200)
                .extract().path("access_token");
    }

    static String auth() {
        return "Bearer " + token();
    }

    /** Creates a CallCoachingMediaProvider (auto-activated by the sandbox) and answers its id. */
    static String provider(String auth) {
        return given().header("Authorization", auth).contentType(ContentType.JSON)
                .body(Map.of("ProviderName", "TestProvider", "ProviderDescription", "conformance", "IsActive", false))
                .post(V + "/sobjects/CallCoachingMediaProvider").then().statusCode(201).extract().path("id");
    }

    static String sign(PrivateKey key, String claimsJson) throws Exception {
        JWSObject jws = new JWSObject(new JWSHeader.Builder(JWSAlgorithm.RS256).type(JOSEObjectType.JWT).build(),
                new Payload(claimsJson));
        jws.sign(new RSASSASigner(key));
        return jws.serialize();
    }

    static PrivateKey telephonyKey() throws Exception {
        String pem = Files.readString(WORK_DIR.resolve(SandboxKeys.TELEPHONY_PRIVATE_KEY_FILE))
                .replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
    }

    static PrivateKey oauthClientKey() throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(WORK_DIR.resolve(SandboxKeys.KEYSTORE_FILE))) {
            ks.load(in, "sandbox-keystore".toCharArray());
        }
        return (PrivateKey) ks.getKey("sandbox", "sandbox-keystore".toCharArray());
    }

    static PrivateKey otherKey() throws Exception {
        java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair().getPrivate();
    }
}
