package io.eciconnector.recording;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Named;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.eciconnector.salesforce.Secrets;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/** Finds, reads and archives recordings wherever they are: file:, s3:, sftp:, http(s): URIs. */
@ApplicationScoped
public class RecordingStore {

    private static final Logger LOG = Logger.getLogger(RecordingStore.class);

    @Inject
    RecordingSettings settings;

    private volatile List<RecordingBackend> backends;
    private S3Client s3;

    private List<RecordingBackend> backends() {
        if (backends == null) {
            synchronized (this) {
                if (backends == null) {
                    backends = List.of(new LocalRecordings(), new HttpRecordings(),
                            new Lazy("s3", () -> new S3Recordings(s3())), new Lazy("sftp", this::sftp));
                }
            }
        }
        return backends;
    }

    private RecordingBackend backend(URI uri) {
        for (RecordingBackend b : backends()) {
            if (b.handles(uri)) {
                return b;
            }
        }
        throw new IllegalArgumentException("no recording source for " + uri.getScheme() + ": URIs");
    }

    public Optional<RecordingInfo> stat(URI uri) throws IOException {
        return backend(uri).stat(uri);
    }

    public InputStream open(URI uri) throws IOException {
        return backend(uri).open(uri);
    }

    public Optional<URI> find(URI location, String base, String prefix) throws IOException {
        return backend(location).find(location, base, prefix);
    }

    public URI archive(URI uri, String area) throws IOException {
        return backend(uri).archive(uri, area);
    }

    /** The S3 client, also the aws2-s3 endpoints' client (amazonS3Client=#eciS3Client in routes/ingest-s3.yaml). */
    @Produces
    @Named("eciS3Client")
    @ApplicationScoped
    S3Client eciS3Client() {
        return s3();
    }

    public synchronized S3Client s3() {
        if (s3 == null) {
            S3Settings c = settings.s3();
            S3ClientBuilder b = S3Client.builder().region(Region.of(c.region())).forcePathStyle(c.forcePathStyle());
            c.endpointOverride().ifPresent(e -> {
                // S3-compatible servers (MinIO, S3Proxy, Ceph) often lack the SDK's default flexible checksums
                b.endpointOverride(URI.create(e)).requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
            });
            Optional<String> secret = Secrets.read(c.secretKey(), c.secretKeyFile());
            if (c.accessKey().isPresent() && secret.isPresent()) {
                b.credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(c.accessKey().get(),
                        secret.get())));
            } else {
                b.credentialsProvider(DefaultCredentialsProvider.builder().build());
            }
            s3 = b.build();
        }
        return s3;
    }

    @PreDestroy
    void close() {
        if (s3 != null) {
            s3.close();
        }
    }

    private SftpRecordings sftp() {
        SftpSettings c = settings.sftp();
        if (c.knownHostsFile().isEmpty()) {
            LOG.warn("SFTP: no eci.sftp.known-hosts-file: any server host key is accepted");
        }
        return new SftpRecordings(new SftpRecordings.Credentials(c.username(),
                Secrets.read(c.password(), c.passwordFile()).orElse(null), c.privateKeyFile().orElse(null),
                c.knownHostsFile().orElse(null)));
    }

    /** A backend built on first use, so a connector without S3 or SFTP needs no configuration for them. */
    private static final class Lazy implements RecordingBackend {
        private final String scheme;
        private final Supplier<RecordingBackend> factory;
        private RecordingBackend delegate;

        Lazy(String scheme, Supplier<RecordingBackend> factory) {
            this.scheme = scheme;
            this.factory = factory;
        }

        private synchronized RecordingBackend d() {
            if (delegate == null) {
                delegate = factory.get();
            }
            return delegate;
        }

        public boolean handles(URI uri) {
            return scheme.equals(uri.getScheme());
        }

        public Optional<RecordingInfo> stat(URI uri) throws IOException {
            return d().stat(uri);
        }

        public InputStream open(URI uri) throws IOException {
            return d().open(uri);
        }

        public Optional<URI> find(URI location, String base, String prefix) throws IOException {
            return d().find(location, base, prefix);
        }

        public URI archive(URI uri, String area) throws IOException {
            return d().archive(uri, area);
        }
    }
}
