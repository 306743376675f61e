package io.eciconnector.sandbox;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The key pairs the sandbox makes at start, in its working directory (never committed):
 * <ul>
 * <li>{@code oauth-client.p12}: the connected app's certificate and private key, for the OAuth 2.0 JWT bearer flow
 * (camel-salesforce reads it as a keystore); the sandbox verifies assertions with its public key;</li>
 * <li>{@code telephony-private.pem} / {@code telephony-public.pem}: the CallCenter key pair that signs the
 * telephony API's JWTs; the sandbox verifies with the public key (or with a configured public key file).</li>
 * </ul>
 */
public class SandboxKeys {

    public static final String KEYSTORE_FILE = "oauth-client.p12";
    public static final String TELEPHONY_PRIVATE_KEY_FILE = "telephony-private.pem";
    public static final String TELEPHONY_PUBLIC_KEY_FILE = "telephony-public.pem";

    private final Path dir;
    private final String keystorePassword;
    private final RSAPublicKey oauthClientKey;
    private final RSAPublicKey telephonyKey;

    public SandboxKeys(Path dir, String keystorePassword, String telephonyPublicKeyFile) {
        this.dir = dir;
        this.keystorePassword = keystorePassword;
        try {
            Files.createDirectories(dir);
            KeyPair oauth = generate();
            writeKeystore(oauth, dir.resolve(KEYSTORE_FILE));
            this.oauthClientKey = (RSAPublicKey) oauth.getPublic();
            if (telephonyPublicKeyFile != null) {
                this.telephonyKey = readPublicKey(Path.of(telephonyPublicKeyFile));
            } else {
                KeyPair telephony = generate();
                writePem(dir.resolve(TELEPHONY_PRIVATE_KEY_FILE), "PRIVATE KEY", telephony.getPrivate().getEncoded());
                writePem(dir.resolve(TELEPHONY_PUBLIC_KEY_FILE), "PUBLIC KEY", telephony.getPublic().getEncoded());
                this.telephonyKey = (RSAPublicKey) telephony.getPublic();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new IllegalStateException("cannot make the sandbox key pairs", e);
        }
    }

    public Path keystore() {
        return dir.resolve(KEYSTORE_FILE);
    }

    public String keystorePassword() {
        return keystorePassword;
    }

    public Path telephonyPrivateKey() {
        return dir.resolve(TELEPHONY_PRIVATE_KEY_FILE);
    }

    public RSAPublicKey oauthClientKey() {
        return oauthClientKey;
    }

    public RSAPublicKey telephonyKey() {
        return telephonyKey;
    }

    private static KeyPair generate() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    private void writeKeystore(KeyPair pair, Path file)
            throws GeneralSecurityException, IOException, org.bouncycastle.operator.OperatorCreationException {
        X500Name name = new X500Name("CN=eci-connector sandbox connected app");
        Instant now = Instant.now();
        X509Certificate cert = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(name,
                BigInteger.valueOf(now.toEpochMilli()), Date.from(now.minus(1, ChronoUnit.DAYS)),
                Date.from(now.plus(365, ChronoUnit.DAYS)), name, pair.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withRSA").build(pair.getPrivate())));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("sandbox", pair.getPrivate(), keystorePassword.toCharArray(),
                new java.security.cert.Certificate[] { cert });
        Path tmp = ownerOnly(file.resolveSibling(file.getFileName() + ".tmp"));
        try (OutputStream out = Files.newOutputStream(tmp)) {
            ks.store(out, keystorePassword.toCharArray());
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static void writePem(Path file, String type, byte[] der) throws IOException {
        String pem = "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
        Path tmp = ownerOnly(file.resolveSibling(file.getFileName() + ".tmp"));
        Files.writeString(tmp, pem, StandardCharsets.US_ASCII);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static Path ownerOnly(Path file) throws IOException {
        Files.deleteIfExists(file);
        try {
            return Files.createFile(file,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            return Files.createFile(file);
        }
    }

    /** Reads an X.509 SubjectPublicKeyInfo PEM ("BEGIN PUBLIC KEY"). */
    public static RSAPublicKey readPublicKey(Path pem) throws IOException, GeneralSecurityException {
        String body = Files.readString(pem).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return (RSAPublicKey) KeyFactory.getInstance("RSA")
                .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(body)));
    }
}
