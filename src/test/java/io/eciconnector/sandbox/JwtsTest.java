package io.eciconnector.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.RSASSASigner;

/** The sandbox's RS256 check, and what its cache of verified tokens must not change. */
class JwtsTest {

    static final ObjectMapper MAPPER = new ObjectMapper();
    static KeyPair registered;
    static KeyPair other;

    @BeforeAll
    static void keys() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        registered = generator.generateKeyPair();
        other = generator.generateKeyPair();
    }

    static String sign(KeyPair pair, String claims) throws Exception {
        JWSObject jws = new JWSObject(new JWSHeader(JWSAlgorithm.RS256), new Payload(claims));
        jws.sign(new RSASSASigner(pair.getPrivate()));
        return jws.serialize();
    }

    @Test
    void aTokenVerifiedOnceIsStillRefusedByAnotherKey() throws Exception {
        String token = sign(registered, "{\"sub\":\"a\",\"exp\":4102444800}");
        RSAPublicKey key = (RSAPublicKey) registered.getPublic();
        assertEquals("a", Jwts.verify(token, key, MAPPER).path("sub").asText());
        assertEquals("a", Jwts.verify(token, key, MAPPER).path("sub").asText(), "the same token again");
        Jwts.InvalidJwt refused = assertThrows(Jwts.InvalidJwt.class,
                () -> Jwts.verify(token, (RSAPublicKey) other.getPublic(), MAPPER));
        assertTrue(refused.getMessage().contains("signature does not verify"), refused.getMessage());
    }

    @Test
    void aVerifiedTokenWithItsClaimsChangedIsRefused() throws Exception {
        String token = sign(registered, "{\"sub\":\"a\",\"exp\":4102444800}");
        RSAPublicKey key = (RSAPublicKey) registered.getPublic();
        Jwts.verify(token, key, MAPPER);
        String[] parts = token.split("\\.");
        String forged = parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString("{\"sub\":\"b\",\"exp\":4102444800}".getBytes()) + "." + parts[2];
        Jwts.InvalidJwt refused = assertThrows(Jwts.InvalidJwt.class, () -> Jwts.verify(forged, key, MAPPER));
        assertTrue(refused.getMessage().contains("signature does not verify"), refused.getMessage());
        assertThrows(Jwts.InvalidJwt.class, () -> Jwts.verify(forged, key, MAPPER), "and again: a refusal is not kept");
    }

    @Test
    void theClaimsOfAKnownTokenAreAFreshCopyEachTime() throws Exception {
        String token = sign(registered, "{\"sub\":\"a\",\"exp\":4102444800}");
        RSAPublicKey key = (RSAPublicKey) registered.getPublic();
        ((com.fasterxml.jackson.databind.node.ObjectNode) Jwts.verify(token, key, MAPPER)).put("sub", "changed");
        assertEquals("a", Jwts.verify(token, key, MAPPER).path("sub").asText());
    }
}
