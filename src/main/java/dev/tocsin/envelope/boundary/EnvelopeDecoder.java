package dev.tocsin.envelope.boundary;

import dev.tocsin.envelope.control.EnvelopeParser;
import dev.tocsin.envelope.entity.Inbound;
import jakarta.websocket.Decoder;
import org.eclipse.microprofile.config.ConfigProvider;

/** Decodes every text frame; rejections are values, never exceptions (see {@link Inbound}). */
public class EnvelopeDecoder implements Decoder.Text<Inbound> {

    public static final String MAX_FRAME_BYTES = "tocsin.frame.max-bytes";
    public static final int DEFAULT_MAX_FRAME_BYTES = 65_536;

    private final int maxFrameBytes = ConfigProvider.getConfig()
            .getOptionalValue(MAX_FRAME_BYTES, Integer.class).orElse(DEFAULT_MAX_FRAME_BYTES);

    @Override
    public Inbound decode(String text) {
        return EnvelopeParser.parse(text, maxFrameBytes);
    }

    @Override
    public boolean willDecode(String text) {
        return text != null;
    }
}
