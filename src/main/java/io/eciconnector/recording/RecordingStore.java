package io.eciconnector.recording;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Named;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.eciconnector.salesforce.Secrets;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * Finds, reads and archives recordings wherever they are: file:, s3:, sftp:, http(s): URIs. A reference taken from a
 * record is followed only where configuration allows ({@link #resolve}): a file inside the source's own root (after
 * resolving links), an object of a configured bucket, a path on the source's SFTP server under its directory, a URL
 * on eci.recordings.url-allow. Only recordings in the connector's own drop area are ever moved ({@link #archivable}).
 */
@ApplicationScoped
public class RecordingStore {

    private static final Logger LOG = Logger.getLogger(RecordingStore.class);
    private static final String SCHEME = "^[a-zA-Z][a-zA-Z0-9+.-]*:.*";

    @Inject
    RecordingSettings settings;

    @ConfigProperty(name = "eci.recordings.url-allow")
    Optional<List<String>> urlAllow;

    @ConfigProperty(name = "eci.recordings.url-allow-private", defaultValue = "false")
    boolean urlAllowPrivate;

    /** Buckets whose objects a record may name besides the S3 source's own (eci.ingest.s3.bucket). */
    @ConfigProperty(name = "eci.recordings.s3-buckets")
    Optional<List<String>> s3Buckets;

    @ConfigProperty(name = "eci.ingest.s3.enabled", defaultValue = "false")
    boolean s3Source;

    @ConfigProperty(name = "eci.ingest.s3.bucket", defaultValue = "recordings")
    String s3SourceBucket;

    /** The S3 source's own drop area: only recordings under it are moved to the done prefix. */
    @ConfigProperty(name = "eci.ingest.s3.drop-prefix", defaultValue = "inbox/")
    String s3DropPrefix;

    @ConfigProperty(name = "eci.aws.allow-imds", defaultValue = "false")
    boolean allowImds;

    private volatile List<RecordingBackend> backends;
    private S3Client s3;

    private List<RecordingBackend> backends() {
        if (backends == null) {
            synchronized (this) {
                if (backends == null) {
                    backends = List.of(new LocalRecordings(),
                            new HttpRecordings(new UrlAllowList(urlAllow.orElse(List.of()), urlAllowPrivate)),
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

    // ------------------------------------------------------------------ what a record may name

    /**
     * The recording a record names ({@code ref}: a name or relative path, an absolute path, or a URI) as a location
     * the connector may read, or {@link RecordingRefused} with the rule. Relative references resolve against
     * {@code base} (the record's folder or prefix; null: {@code root}); local files and SFTP paths must lie inside
     * {@code root} (the source's own folder) or its archive area {@code area}, links resolved.
     */
    public URI resolve(String ref, URI base, URI root, String area) throws RecordingRefused {
        if (ref == null || ref.isBlank()) {
            throw new RecordingRefused("reference", "an empty recording reference");
        }
        if (ref.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) {
            throw new RecordingRefused("reference", "the recording reference has control characters");
        }
        URI b = base != null ? base : root;
        URI uri;
        try {
            if (ref.matches(SCHEME) && !ref.matches("^[a-zA-Z]:\\\\.*")) {
                uri = new URI(ref);
            } else if (b == null) {
                throw new RecordingRefused("outside-root", "the relative reference " + ref
                        + " names no source folder to resolve in");
            } else if ("file".equals(b.getScheme())) {
                uri = Path.of(b).resolve(ref).normalize().toUri();
            } else {
                uri = b.resolve(new URI(null, null, ref, null)).normalize();
            }
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new RecordingRefused("reference", "the recording reference is not a valid path or URI");
        }
        checkReadable(uri, root, area);
        return uri;
    }

    /** Refuses a location the connector may not read (see {@link #resolve}); the URL's addresses are checked at fetch. */
    public void checkReadable(URI uri, URI root, String area) throws RecordingRefused {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme();
        switch (scheme) {
            case "file" -> checkLocal(uri, root, area);
            case "s3" -> checkS3(uri, root);
            case "sftp" -> checkSftp(uri, root, area);
            case "http", "https" -> urlAllowList().allowed(uri);
            default -> throw new RecordingRefused("scheme", "recordings are not read from " + scheme + ": locations");
        }
    }

    private UrlAllowList urlAllowList() {
        return new UrlAllowList(urlAllow.orElse(List.of()), urlAllowPrivate);
    }

    private static void checkLocal(URI uri, URI root, String area) throws RecordingRefused {
        if (root == null || !"file".equals(root.getScheme())) {
            throw new RecordingRefused("outside-root", "a local file, but the source has no local folder");
        }
        Path p;
        try {
            p = Path.of(uri).toAbsolutePath().normalize();
        } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            throw new RecordingRefused("reference", "not a local file path");
        }
        Path r = Path.of(root).toAbsolutePath().normalize();
        Path done = area == null ? null : r.resolve(area).normalize();
        if (!p.startsWith(r) && (done == null || !p.startsWith(done))) {
            throw new RecordingRefused("outside-root", "the recording " + p + " is outside the source's folder " + r);
        }
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return; // not there (yet): looked for again; checked again then
        }
        try {
            Path real = p.toRealPath();
            boolean inside = real.startsWith(r.toRealPath());
            if (!inside && done != null && Files.exists(done)) {
                inside = real.startsWith(done.toRealPath());
            }
            if (!inside) {
                throw new RecordingRefused("outside-root", "the recording " + p + " is a link to " + real
                        + ", outside the source's folder " + r);
            }
        } catch (RecordingRefused e) {
            throw e;
        } catch (IOException e) {
            throw new RecordingRefused("outside-root", "the recording " + p + " cannot be resolved inside " + r);
        }
    }

    /** The buckets a record may name: eci.recordings.s3-buckets, the S3 source's bucket, the drop's own bucket. */
    private List<String> buckets(URI root) {
        List<String> all = new java.util.ArrayList<>(s3Buckets.orElse(List.of()));
        if (s3Source) {
            all.add(s3SourceBucket);
        }
        if (root != null && "s3".equals(root.getScheme()) && root.getHost() != null) {
            all.add(root.getHost());
        }
        return all;
    }

    private void checkS3(URI uri, URI root) throws RecordingRefused {
        String bucket = uri.getHost();
        String key = uri.getRawPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
        if (bucket == null || !bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]") || key.isEmpty() || key.endsWith("/")
                || uri.getRawQuery() != null || uri.getRawUserInfo() != null || uri.getPort() != -1) {
            throw new RecordingRefused("s3-location", "the S3 location " + uri + " is not s3://bucket/key");
        }
        List<String> allowed = buckets(root);
        if (!allowed.contains(bucket)) {
            throw new RecordingRefused("s3-bucket", "the bucket " + bucket + " is not one the connector reads ("
                    + (allowed.isEmpty() ? "none configured" : String.join(", ", allowed))
                    + "; eci.recordings.s3-buckets names others)");
        }
    }

    private static void checkSftp(URI uri, URI root, String area) throws RecordingRefused {
        if (root == null || !"sftp".equals(root.getScheme()) || uri.getHost() == null
                || !uri.getHost().equalsIgnoreCase(root.getHost()) || port(uri) != port(root)
                || uri.getRawUserInfo() != null) {
            throw new RecordingRefused("outside-root", "the SFTP location " + uri + " is not on the source's server");
        }
        String p = Path.of("/").resolve(uri.getPath()).normalize().toString();
        String r = Path.of("/").resolve(root.getPath()).normalize().toString();
        String done = area == null ? null : Path.of(r).resolve(area).normalize().toString();
        if (!(p + "/").startsWith(r + "/") && (done == null || !(p + "/").startsWith(done + "/"))) {
            throw new RecordingRefused("outside-root", "the SFTP path " + p + " is outside the source's directory " + r);
        }
    }

    private static int port(URI u) {
        return u.getPort() < 0 ? 22 : u.getPort();
    }

    /**
     * Whether the connector may move this recording to its archive area: it lies in the connector's own drop area
     * ({@code root} for files and SFTP; under eci.ingest.s3.drop-prefix in the drop's own bucket for S3) and not
     * already under {@code area}
     * (a re-run after a kill finds it archived and leaves it there). A vendor's recordings (an Amazon Connect
     * CallRecordings/ prefix, a URL) are read-only.
     */
    public boolean archivable(URI uri, URI root, String area) {
        if (uri == null || area == null || root == null) {
            return false;
        }
        try {
            switch (uri.getScheme()) {
                case "file" -> {
                    Path r = Path.of(root).toAbsolutePath().normalize();
                    Path done = r.resolve(area).normalize();
                    Path p = Path.of(uri).toAbsolutePath().normalize();
                    if (Files.exists(p)) {
                        p = p.toRealPath();
                        r = r.toRealPath();
                        done = Files.exists(done) ? done.toRealPath() : done;
                    }
                    return p.startsWith(r) && !p.startsWith(done) && !p.equals(r);
                }
                case "s3" -> {
                    // only in the drop's own bucket: another bucket a record may name (eci.recordings.s3-buckets,
                    // a vendor's) is read, never changed, whatever its keys look like
                    if (uri.getHost() == null || !"s3".equals(root.getScheme())
                            || !uri.getHost().equals(root.getHost())) {
                        return false;
                    }
                    String key = uri.getPath().replaceFirst("^/", "");
                    String doneArea = area.replaceAll("/+$", "") + "/";
                    return key.startsWith(s3DropPrefix) && !key.startsWith(doneArea);
                }
                case "sftp" -> {
                    String p = Path.of("/").resolve(uri.getPath()).normalize().toString();
                    String r = Path.of("/").resolve(root.getPath()).normalize().toString();
                    String done = Path.of(r).resolve(area).normalize().toString();
                    return (p + "/").startsWith(r + "/") && !(p + "/").startsWith(done + "/");
                }
                default -> {
                    return false;
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
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
            b.credentialsProvider(AwsCredentials.provider(c.accessKey(), secret, allowImds));
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
