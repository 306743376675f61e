package io.eciconnector.recording;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.auth.credentials.InstanceProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.auth.credentials.SystemPropertyCredentialsProvider;
import software.amazon.awssdk.auth.credentials.WebIdentityTokenFileCredentialsProvider;

/**
 * Where the S3 clients' credentials come from: configuration only. Static keys (eci.s3.access-key with
 * eci.s3.secret-key or a mounted eci.s3.secret-key-file) when given; else an explicit chain of the JVM's system
 * properties, the environment (AWS_ACCESS_KEY_ID ...), web identity (IRSA: AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN)
 * and the shared credentials/config files. The container endpoint and the instance-metadata service (IMDS) join it only
 * with eci.aws.allow-imds=true, so nothing a record names can make the connector ask the metadata endpoint.
 */
public final class AwsCredentials {

    private AwsCredentials() {
    }

    public static AwsCredentialsProvider provider(Optional<String> accessKey, Optional<String> secret, boolean allowImds) {
        if (accessKey.isPresent() && secret.isPresent()) {
            return StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey.get(), secret.get()));
        }
        List<AwsCredentialsProvider> chain = new ArrayList<>(List.of(SystemPropertyCredentialsProvider.create(),
                EnvironmentVariableCredentialsProvider.create(), WebIdentityTokenFileCredentialsProvider.create(),
                ProfileCredentialsProvider.create()));
        if (allowImds) {
            chain.add(ContainerCredentialsProvider.builder().build());
            chain.add(InstanceProfileCredentialsProvider.builder().build());
        }
        return AwsCredentialsProviderChain.builder().reuseLastProviderEnabled(true).credentialsProviders(chain).build();
    }
}
