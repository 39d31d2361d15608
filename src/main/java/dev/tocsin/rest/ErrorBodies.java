package dev.tocsin.rest;

import static dev.tocsin.envelope.control.JsonFactory.JSON;

import dev.tocsin.envelope.entity.ErrorCode;
import dev.tocsin.envelope.entity.ProtocolException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Every REST failure becomes {@code {"error": CODE, "message": "...", "status": N}} with the code's
 * HTTP status; unexpected exceptions are logged once and answered 500 without a stack trace.
 */
@Provider
public class ErrorBodies implements ExceptionMapper<Throwable> {

    private static final Logger LOG = Logger.getLogger(ErrorBodies.class.getName());

    @Override
    public Response toResponse(Throwable failure) {
        if (failure instanceof ProtocolException refusal) {
            return body(refusal.code().httpStatus(), refusal.code(), refusal.getMessage());
        }
        if (failure instanceof WebApplicationException web) {
            int status = web.getResponse().getStatus();
            ErrorCode code = status == 404 ? ErrorCode.NOT_FOUND : status < 500 ? ErrorCode.MALFORMED_REQUEST : ErrorCode.INTERNAL_ERROR;
            return body(status, code, web.getMessage());
        }
        if (isJsonBindingFailure(failure)) {
            return body(400, ErrorCode.MALFORMED_REQUEST, "the body is not valid JSON of the expected shape");
        }
        LOG.log(Level.WARNING, "REST request failed", failure);
        return body(500, ErrorCode.INTERNAL_ERROR, ErrorCode.INTERNAL_ERROR.meaning());
    }

    private static boolean isJsonBindingFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof jakarta.json.bind.JsonbException || t instanceof jakarta.json.JsonException
                    || t instanceof jakarta.ws.rs.ProcessingException) {
                return true;
            }
        }
        return false;
    }

    private static Response body(int status, ErrorCode code, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(JSON.createObjectBuilder()
                        .add("error", code.name())
                        .add("message", message == null ? code.meaning() : message)
                        .add("status", status)
                        .build())
                .build();
    }
}
