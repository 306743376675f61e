package io.eciconnector.recording;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Access to the recording sources: eci.s3 and eci.sftp; credentials from the environment or mounted files. */
@ApplicationScoped
public class RecordingSettings {

    @Inject
    S3Settings s3;

    @Inject
    SftpSettings sftp;

    public S3Settings s3() {
        return s3;
    }

    public SftpSettings sftp() {
        return sftp;
    }
}
