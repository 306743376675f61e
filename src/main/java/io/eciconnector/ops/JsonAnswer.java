package io.eciconnector.ops;

import org.apache.camel.Exchange;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The operations endpoints' answers: JSON text with its status (the REST binding leaves text alone). */
final class JsonAnswer {

    private JsonAnswer() {
    }

    static String of(Exchange exchange, ObjectMapper mapper, int status, Object body) throws JsonProcessingException {
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        return mapper.writeValueAsString(body);
    }
}
