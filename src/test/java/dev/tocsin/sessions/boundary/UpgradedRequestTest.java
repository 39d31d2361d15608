package dev.tocsin.sessions.boundary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.http.HttpRequestPacket;
import org.glassfish.grizzly.http.util.CharChunk;
import org.glassfish.grizzly.http.util.DataChunk;
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
    void theRequestLinesPartsKeepTheirValuesButNotTheReadBuffer() throws Exception {
        // As Grizzly parses a request: the parts point into the read buffer, itself a slice of a
        // worker thread's 64 KiB array, by offset (as bytes) or through the buffer.
        byte[] pool = new byte[65_536];
        String line = "GET /ws?after=3 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUpgrade: websocket\r\n";
        int at = 40_000;
        System.arraycopy(line.getBytes(StandardCharsets.US_ASCII), 0, pool, at, line.length());
        Buffer read = org.glassfish.grizzly.memory.Buffers.wrap(null, pool);
        HttpRequestPacket request = HttpRequestPacket.builder().build();
        request.getMethodDC().setBytes(pool, at, at + 3);
        request.getRequestURIRef().init(pool, at + 4, at + 7);
        request.getQueryStringDC().setBytes(pool, at + 8, at + 15);
        request.getProtocolDC().setBuffer(read, at + 16, at + 24);
        request.getUpgradeDC().setBuffer(read, line.indexOf("websocket") + at, line.indexOf("websocket") + at + 9);

        UpgradedRequest.ownBytes(request);
        UpgradedRequest.ownBytes(request.getRequestURIRef());

        assertEquals("GET", request.getMethod().getMethodString());
        assertEquals("/ws", request.getRequestURI());
        assertEquals("after=3", request.getQueryString());
        assertEquals("HTTP/1.1", request.getProtocolString());
        assertEquals("websocket", request.getUpgrade());
        for (DataChunk chunk : new DataChunk[] {request.getMethodDC(), request.getQueryStringDC(), request.getProtocolDC(), request.getUpgradeDC(),
                request.getRequestURIRef().getOriginalRequestURIBC(), request.getRequestURIRef().getRequestURIBC()}) {
            assertTrue(chunk.getByteChunk().getBuffer() != pool && chunk.getBufferChunk().getBuffer() == null,
                    () -> "still points into the read buffer: " + chunk);
        }
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
