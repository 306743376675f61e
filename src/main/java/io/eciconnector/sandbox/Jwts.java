package io.eciconnector.sandbox;

import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.util.Map;

import org.apache.camel.support.LRUCacheFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.RSASSAVerifier;

/** RS256 signature checks shared by the OAuth JWT bearer flow and the telephony API. */
final class Jwts {

    static final class InvalidJwt extends Exception {
        InvalidJwt(String message) {
            super(message);
        }
    }

    private Jwts() {
    }

    /**
     * Tokens whose signature verified, with the key that verified them: a client reuses one token for many requests
     * (the telephony API's until it expires), and an RSA verification costs more CPU than the rest of a request to the
     * sandbox, which runs in the connector's JVM. Only the signature check is skipped, for the same token bytes and the
     * same key (so the same header, alg RS256 included); the callers' checks of the claims (iss, sub, exp, jti) are
     * made again on each request, so every answer is the one a fresh verification gives.
     */
    private static final int VERIFIED_MAX = 64;
    private static final Map<String, Verified> VERIFIED = LRUCacheFactory.newLRUCache(VERIFIED_MAX);

    private record Verified(RSAPublicKey key, String payload) {
    }

    /** Verifies the RS256 signature and answers the claims (parsed leniently: camel-salesforce sends exp as a string). */
    static JsonNode verify(String jwt, RSAPublicKey key, ObjectMapper mapper) throws InvalidJwt {
        if (jwt == null || jwt.isBlank()) {
            throw new InvalidJwt("missing JWT");
        }
        String token = jwt.trim();
        Verified known = VERIFIED.get(token);
        if (known != null && known.key().equals(key)) {
            return claims(known.payload(), mapper);
        }
        JWSObject jws;
        try {
            jws = JWSObject.parse(token);
        } catch (ParseException e) {
            throw new InvalidJwt("malformed JWT");
        }
        if (!JWSAlgorithm.RS256.equals(jws.getHeader().getAlgorithm())) {
            throw new InvalidJwt("JWT alg must be RS256");
        }
        try {
            if (!jws.verify(new RSASSAVerifier(key))) {
                throw new InvalidJwt("JWT signature does not verify with the registered public key");
            }
        } catch (JOSEException e) {
            throw new InvalidJwt("JWT cannot be verified: " + e.getMessage());
        }
        String payload = jws.getPayload().toString();
        JsonNode claims = claims(payload, mapper);
        VERIFIED.put(token, new Verified(key, payload));
        return claims;
    }

    private static JsonNode claims(String payload, ObjectMapper mapper) throws InvalidJwt {
        JsonNode claims;
        try {
            claims = mapper.readTree(payload);
        } catch (java.io.IOException e) {
            throw new InvalidJwt("JWT cannot be verified: " + e.getMessage());
        }
        if (claims == null || !claims.isObject()) {
            throw new InvalidJwt("JWT claims are not a JSON object");
        }
        return claims;
    }

    /** A NumericDate claim given as a JSON number or a numeric string; null when absent or not numeric. */
    static Long seconds(JsonNode claims, String name) {
        JsonNode v = claims.get(name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isNumber()) {
            return v.asLong();
        }
        try {
            return Long.parseLong(v.asText().trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
