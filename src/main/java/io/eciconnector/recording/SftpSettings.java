package io.eciconnector.recording;

import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings under eci.sftp. */
@ConfigMapping(prefix = "eci.sftp")
public interface SftpSettings {
    @WithDefault("anonymous")
    String username();

    Optional<String> password();

    Optional<String> passwordFile();

    Optional<String> privateKeyFile();

    /** known_hosts file the server's key must be in; when absent any host key is accepted (logged). */
    Optional<String> knownHostsFile();
}
