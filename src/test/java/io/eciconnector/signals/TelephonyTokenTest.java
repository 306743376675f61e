package io.eciconnector.signals;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.SignedJWT;

/** The telephony JWT: claims, signature, reuse, one per request with jti, key re-read when its file changes. */
class TelephonyTokenTest {

    @TempDir
    Path dir;

    static KeyPair rsa() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
    }

    static void writePkcs8(Path file, KeyPair pair) throws Exception {
        String b64 = Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(pair.getPrivate().getEncoded());
        Files.writeString(file, "-----BEGIN PRIVATE KEY-----\n" + b64 + "\n-----END PRIVATE KEY-----\n");
    }

    static final class MovableClock extends Clock {
        Instant now = Instant.parse("2026-11-21T10:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void claimsAndSignatureAreThoseTheApiChecks() throws Exception {
        KeyPair pair = rsa();
        Path key = dir.resolve("key.pem");
        writePkcs8(key, pair);
        MovableClock clock = new MovableClock();
        TelephonyToken t = new TelephonyToken(key, new TelephonyToken.Claims("00D5e000000Sbx0EAC", "My_Call_Center",
                "https://scrt.salesforce.com", false, Duration.ofHours(1), Duration.ofMinutes(5)), clock);
        SignedJWT jwt = SignedJWT.parse(t.bearer().substring("Bearer ".length()));
        assertEquals("RS256", jwt.getHeader().getAlgorithm().getName());
        assertTrue(jwt.verify(new RSASSAVerifier((RSAPublicKey) pair.getPublic())));
        var c = jwt.getJWTClaimsSet();
        assertEquals("00D5e000000Sbx0EAC", c.getIssuer());
        assertEquals("My_Call_Center", c.getSubject());
        assertEquals(List.of("https://scrt.salesforce.com"), c.getAudience());
        assertEquals(clock.now.getEpochSecond(), c.getIssueTime().toInstant().getEpochSecond());
        assertEquals(3600, c.getExpirationTime().toInstant().getEpochSecond() - c.getIssueTime().toInstant().getEpochSecond());
        assertEquals(null, c.getJWTID());
    }

    @Test
    void aTokenIsReusedUntilShortlyBeforeItExpires() throws Exception {
        Path key = dir.resolve("key.pem");
        writePkcs8(key, rsa());
        MovableClock clock = new MovableClock();
        TelephonyToken t = new TelephonyToken(key, new TelephonyToken.Claims("00D", "CC", null, false,
                Duration.ofHours(1), Duration.ofMinutes(5)), clock);
        String first = t.bearer();
        clock.now = clock.now.plus(Duration.ofMinutes(54));
        assertEquals(first, t.bearer(), "reused 54 minutes in");
        clock.now = clock.now.plus(Duration.ofMinutes(2));
        assertNotEquals(first, t.bearer(), "renewed within 5 minutes of its expiry");
        assertEquals(2, t.signed());
        assertEquals(1, t.keyReads(), "the key file is read once");
    }

    @Test
    void withJtiEveryRequestGetsItsOwnToken() throws Exception {
        Path key = dir.resolve("key.pem");
        writePkcs8(key, rsa());
        TelephonyToken t = new TelephonyToken(key, new TelephonyToken.Claims("00D", "CC", null, true,
                Duration.ofHours(1), Duration.ofMinutes(5)), new MovableClock());
        String a = t.bearer().substring(7);
        String b = t.bearer().substring(7);
        assertNotEquals(SignedJWT.parse(a).getJWTClaimsSet().getJWTID(), SignedJWT.parse(b).getJWTClaimsSet().getJWTID());
        assertEquals(1, t.keyReads());
    }

    @Test
    void aRotatedKeyFileIsReadAgainAndSignsTheNextToken() throws Exception {
        Path key = dir.resolve("key.pem");
        writePkcs8(key, rsa());
        TelephonyToken t = new TelephonyToken(key, new TelephonyToken.Claims("00D", "CC", null, false,
                Duration.ofHours(1), Duration.ofMinutes(5)), new MovableClock());
        String before = t.bearer();
        KeyPair rotated = rsa();
        writePkcs8(key, rotated);
        Files.setLastModifiedTime(key, FileTime.from(Instant.now().plusSeconds(5)));
        SignedJWT after = SignedJWT.parse(t.bearer().substring(7));
        assertNotEquals(before, "Bearer " + after.serialize());
        assertTrue(after.verify(new RSASSAVerifier((RSAPublicKey) rotated.getPublic())), "signed with the new key");
        assertEquals(2, t.keyReads());
    }

    @Test
    void aLifetimeOverTwentyFourHoursIsRefused() {
        Path key = dir.resolve("absent.pem");
        boolean refused = false;
        try {
            new TelephonyToken(key, new TelephonyToken.Claims("00D", "CC", null, false, Duration.ofHours(25),
                    Duration.ofMinutes(5)), Clock.systemUTC());
        } catch (IllegalArgumentException e) {
            refused = e.getMessage().contains("24 hours");
        }
        assertTrue(refused);
        assertFalse(Files.exists(key));
    }
}
