package io.eciconnector.signals;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.PrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

/**
 * The bearer JWT of the telephony API: RS256, iss = org id, sub = CallCenter API name, iat, exp, optional aud and jti.
 * The private key is read from its PEM file once and again only when the file changes (a rotated Secret); it is never
 * logged. A token is reused until {@code renewBefore} its expiry, unless jti is on: then each request gets its own,
 * since Salesforce rejects a replayed jti.
 */
public class TelephonyToken {

    public record Claims(String issuer, String subject, String audience, boolean jti, Duration lifetime,
            Duration renewBefore) {
    }

    private final Path keyFile;
    private final Claims claims;
    private final Clock clock;

    private FileTime keyModified;
    private long keySize = -1;
    private RSASSASigner signer;
    private String token;
    private Instant tokenExpires = Instant.EPOCH;
    private int keyReads;
    private int signed;

    public TelephonyToken(Path keyFile, Claims claims, Clock clock) {
        if (claims.lifetime().compareTo(Duration.ofHours(24)) > 0) {
            throw new IllegalArgumentException("eci.telephony.jwt.lifetime must be at most 24 hours (the API's limit)");
        }
        this.keyFile = keyFile;
        this.claims = claims;
        this.clock = clock;
    }

    /** The Authorization header value. */
    public synchronized String bearer() {
        boolean keyChanged = loadKeyIfChanged();
        Instant now = clock.instant();
        if (claims.jti() || keyChanged || token == null || !now.isBefore(tokenExpires.minus(claims.renewBefore()))) {
            token = sign(now);
            tokenExpires = now.plus(claims.lifetime());
        }
        return "Bearer " + token;
    }

    /** Drops the cached token (after a 401): the next request signs a new one. */
    public synchronized void invalidate() {
        token = null;
    }

    /** How many times the key file was read, and tokens signed (for tests and metrics). */
    public synchronized int keyReads() {
        return keyReads;
    }

    public synchronized int signed() {
        return signed;
    }

    private String sign(Instant now) {
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder().issuer(claims.issuer()).subject(claims.subject())
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plus(claims.lifetime())));
        if (claims.audience() != null && !claims.audience().isBlank()) {
            b.audience(claims.audience());
        }
        if (claims.jti()) {
            b.jwtID(UUID.randomUUID().toString());
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), b.build());
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign the telephony JWT with the key in " + keyFile + ": "
                    + e.getMessage());
        }
        signed++;
        return jwt.serialize();
    }

    /** Reads the key when it was never read or its file changed; true when it was (re)read. */
    private boolean loadKeyIfChanged() {
        try {
            FileTime modified = Files.getLastModifiedTime(keyFile);
            long size = Files.size(keyFile);
            if (signer != null && modified.equals(keyModified) && size == keySize) {
                return false;
            }
            signer = new RSASSASigner(readKey(keyFile));
            keyModified = modified;
            keySize = size;
            keyReads++;
            return true;
        } catch (IOException e) {
            if (signer != null) {
                return false; // a Secret being swapped: keep the key we have
            }
            throw new IllegalStateException("cannot read the telephony private key file " + keyFile + ": "
                    + e.getClass().getSimpleName());
        }
    }

    /** An RSA private key from a PEM file, in PKCS#8 or PKCS#1 form. */
    static RSAPrivateKey readKey(Path file) throws IOException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser pem = new PEMParser(r)) {
            Object o = pem.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            PrivateKey key;
            if (o instanceof PEMKeyPair pair) {
                key = converter.getKeyPair(pair).getPrivate();
            } else if (o instanceof PrivateKeyInfo info) {
                key = converter.getPrivateKey(info);
            } else {
                throw new IOException("not an unencrypted RSA private key in PEM");
            }
            if (!(key instanceof RSAPrivateKey rsa)) {
                throw new IOException("the key is not an RSA key (RS256 needs RSA)");
            }
            return rsa;
        }
    }
}
