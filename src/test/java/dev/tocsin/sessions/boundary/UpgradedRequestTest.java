package dev.tocsin.sessions.boundary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.util.Arrays;
import java.util.Objects;
import org.glassfish.grizzly.http.util.CharChunk;
import org.glassfish.grizzly.http.util.MimeHeaders;
import org.glassfish.grizzly.http.util.Parameters;
import org.junit.jupiter.api.Test;

/** On Grizzly's own classes: what goes, and that a reused request object still works. */
class UpgradedRequestTest {

    @Test
    void dropsTheParsersScratchBuffers() throws Exception {
        Parameters parameters = new Parameters();
        assertNotNull(scratch(parameters, "tmpNameC").getBuffer(), "Grizzly allocates them with the request");

        UpgradedRequest.dropScratchBuffers(parameters);

        assertNull(scratch(parameters, "tmpNameC").getBuffer());
        assertNull(scratch(parameters, "tmpValueC").getBuffer());
    }

    @Test
    void aReusedRequestStillParsesItsParameters() throws Exception {
        Parameters parameters = new Parameters();
        UpgradedRequest.dropScratchBuffers(parameters);
        parameters.recycle();

        parameters.processParameters("topic=alerts.db%2Eprod&after=42&note=on+call%20now");

        assertEquals("alerts.db.prod", parameters.getParameter("topic"));
        assertEquals("42", parameters.getParameter("after"));
        assertEquals("on call now", parameters.getParameter("note"));
    }

    @Test
    void dropsTheHeaderFields() throws Exception {
        MimeHeaders headers = new MimeHeaders();
        headers.addValue("Host").setString("127.0.0.1:8080");
        headers.addValue("Upgrade").setString("websocket");

        UpgradedRequest.dropHeaders(headers);

        assertEquals(0, headers.size());
        assertTrue(Arrays.stream(fields(headers)).allMatch(Objects::isNull), "no field is left to keep its chunks");
    }

    @Test
    void aReusedRequestStillTakesHeaders() throws Exception {
        MimeHeaders headers = new MimeHeaders();
        for (int i = 0; i < 12; i++) { // more than the array's first size, so that it grew
            headers.addValue("X-Before-" + i).setString("v" + i);
        }
        UpgradedRequest.dropHeaders(headers);
        headers.recycle();

        for (int i = 0; i < 20; i++) {
            headers.addValue("X-After-" + i).setString("w" + i);
        }

        assertEquals(20, headers.size());
        assertEquals("w19", headers.getHeader("X-After-19"));
        assertNull(headers.getHeader("X-Before-0"));
    }

    @Test
    void findsNoRequestUnderAnythingButTyrusServletWriter() {
        assertNull(UpgradedRequest.of(null));
        assertNull(UpgradedRequest.of("not a writer"));
    }

    private static Object[] fields(MimeHeaders headers) throws ReflectiveOperationException {
        Field field = MimeHeaders.class.getDeclaredField("headers");
        field.setAccessible(true);
        return (Object[]) field.get(headers);
    }

    private static CharChunk scratch(Parameters parameters, String name) throws ReflectiveOperationException {
        Field field = Parameters.class.getDeclaredField(name);
        field.setAccessible(true);
        return (CharChunk) field.get(parameters);
    }
}
