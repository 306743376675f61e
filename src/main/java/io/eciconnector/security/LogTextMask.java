package io.eciconnector.security;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;

import org.apache.camel.spi.MaskingFormatter;
import org.apache.camel.support.processor.DefaultMaskingFormatter;

/**
 * The routes' {@code log:} steps print record text (file and object names, summaries): with log masking on
 * ({@code camel.main.log-mask=true}), Camel passes every such message through the bean named
 * {@code CamelCustomLogMask}: this one masks what Camel's default masks (password, secret, passphrase, ... values)
 * and escapes control and invisible characters ({@link LogText}), so a route's log line stays one line.
 */
@ApplicationScoped
@Named(MaskingFormatter.CUSTOM_LOG_MASK_REF)
public class LogTextMask implements MaskingFormatter {

    private final DefaultMaskingFormatter secrets = new DefaultMaskingFormatter();

    @Override
    public String format(String source) {
        return source == null ? null : LogText.escape(secrets.format(source));
    }
}
