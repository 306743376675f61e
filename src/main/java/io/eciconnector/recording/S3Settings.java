package io.eciconnector.recording;

import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings under eci.s3. */
@ConfigMapping(prefix = "eci.s3")
public interface S3Settings {
    @WithDefault("us-east-1")
    String region();

    /** An S3-compatible endpoint (MinIO, S3Proxy); empty for AWS. */
    Optional<String> endpointOverride();

    /** Path-style addressing, needed by most S3-compatible servers. */
    @WithDefault("false")
    boolean forcePathStyle();

    /** Static credentials; when absent the AWS default chain (IRSA, instance profile, env) is used. */
    Optional<String> accessKey();

    Optional<String> secretKey();

    Optional<String> secretKeyFile();
}
