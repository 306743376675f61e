package io.eciconnector.recording;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.Optional;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/** Recordings in S3 (s3://bucket/key), streamed with GetObject, archived with CopyObject + DeleteObject. */
public class S3Recordings implements RecordingBackend {

    private final S3Client s3;

    public S3Recordings(S3Client s3) {
        this.s3 = s3;
    }

    @Override
    public boolean handles(URI uri) {
        return "s3".equals(uri.getScheme());
    }

    static String bucket(URI uri) {
        return uri.getHost() != null ? uri.getHost() : uri.getAuthority();
    }

    static String key(URI uri) {
        return uri.getPath().replaceFirst("^/", "");
    }

    @Override
    public Optional<RecordingInfo> stat(URI uri) throws IOException {
        try {
            HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket(uri)).key(key(uri)));
            byte[] first;
            long size = head.contentLength();
            try (InputStream in = s3.getObject(GetObjectRequest.builder().bucket(bucket(uri)).key(key(uri))
                    .range("bytes=0-" + (Math.min(size, HEAD_BYTES) - 1)).build())) {
                first = RecordingBackend.readHead(in);
            }
            return Optional.of(new RecordingInfo(uri, size, AudioProbe.probe(first)));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw new IOException("S3 " + uri + ": " + e.getMessage(), e);
        } catch (SdkException e) {
            throw new IOException("S3 " + uri + ": " + e.getMessage(), e);
        }
    }

    @Override
    public InputStream open(URI uri) throws IOException {
        try {
            return s3.getObject(b -> b.bucket(bucket(uri)).key(key(uri)));
        } catch (SdkException e) {
            throw new IOException("S3 " + uri + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<URI> find(URI location, String base, String prefix) throws IOException {
        String bucket = bucket(location);
        String dir = key(location);
        if (!dir.isEmpty() && !dir.endsWith("/")) {
            dir += "/";
        }
        try {
            for (String ext : LocalRecordings.EXTENSIONS) {
                URI candidate = URI.create("s3://" + bucket + "/" + dir + base + ext);
                if (stat(candidate).isPresent()) {
                    return Optional.of(candidate);
                }
            }
            if (prefix == null) {
                return Optional.empty();
            }
            String listPrefix = dir + prefix;
            ListObjectsV2Response list = s3.listObjectsV2(b -> b.bucket(bucket).prefix(listPrefix).maxKeys(50));
            return list.contents().stream().map(S3Object::key)
                    .filter(k -> LocalRecordings.EXTENSIONS.stream().anyMatch(k::endsWith)).sorted().findFirst()
                    .map(k -> URI.create("s3://" + bucket + "/" + k));
        } catch (SdkException e) {
            throw new IOException("S3 " + location + ": " + e.getMessage(), e);
        }
    }

    /** Copies to {area}/{key} in the same bucket, then deletes the original. */
    @Override
    public URI archive(URI uri, String area) throws IOException {
        String bucket = bucket(uri);
        String key = key(uri);
        String target = area.replaceAll("/+$", "") + "/" + key;
        try {
            try {
                s3.copyObject(b -> b.sourceBucket(bucket).sourceKey(key).destinationBucket(bucket).destinationKey(target));
            } catch (NoSuchKeyException e) {
                if (stat(URI.create("s3://" + bucket + "/" + target)).isEmpty()) {
                    throw e;
                }
            }
            s3.deleteObject(b -> b.bucket(bucket).key(key));
        } catch (SdkException e) {
            throw new IOException("S3 archive " + uri + ": " + e.getMessage(), e);
        }
        return URI.create("s3://" + bucket + "/" + target);
    }
}
