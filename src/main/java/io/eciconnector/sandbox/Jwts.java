package io.eciconnector.sandbox;

import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;

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

    /** Verifies the RS256 signature and answers the claims (parsed leniently: camel-salesforce sends exp as a string). */
    static JsonNode verify(String jwt, RSAPublicKey key, ObjectMapper mapper) throws InvalidJwt {
        if (jwt == null || jwt.isBlank()) {
            throw new InvalidJwt("missing JWT");
        }
        JWSObject jws;
        try {
            jws = JWSObject.parse(jwt.trim());
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
            JsonNode claims = mapper.readTree(jws.getPayload().toString());
            if (claims == null || !claims.isObject()) {
                throw new InvalidJwt("JWT claims are not a JSON object");
            }
            return claims;
        } catch (JOSEException | java.io.IOException e) {
            throw new InvalidJwt("JWT cannot be verified: " + e.getMessage());
        }
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
