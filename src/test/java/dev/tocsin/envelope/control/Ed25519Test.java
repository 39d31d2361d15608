package dev.tocsin.envelope.control;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Ed25519Test {

    static final HexFormat HEX = HexFormat.of();

    // RFC 8032 section 7.1, TEST 1 and TEST 2.
    static final byte[] SECRET_1 = HEX.parseHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    static final byte[] PUBLIC_1 = HEX.parseHex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    static final byte[] MESSAGE_1 = new byte[0];
    static final byte[] SIGNATURE_1 = HEX.parseHex("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
            + "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");

    static final byte[] SECRET_2 = HEX.parseHex("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb");
    static final byte[] PUBLIC_2 = HEX.parseHex("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c");
    static final byte[] MESSAGE_2 = HEX.parseHex("72");
    static final byte[] SIGNATURE_2 = HEX.parseHex("92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
            + "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00");

    static byte[] flipBit(byte[] bytes, int bit) {
        byte[] copy = bytes.clone();
        copy[bit / 8] ^= (byte) (1 << (bit % 8));
        return copy;
    }

    @Test
    void signsRfc8032Test1WithTheKeyFromItsSeed() {
        assertArrayEquals(SIGNATURE_1, Ed25519.sign(Ed25519.privateKey(SECRET_1), MESSAGE_1));
    }

    @Test
    void signsRfc8032Test2WithTheKeyFromItsSeed() {
        assertArrayEquals(SIGNATURE_2, Ed25519.sign(Ed25519.privateKey(SECRET_2), MESSAGE_2));
    }

    @Test
    void verifiesRfc8032Test1WithTheKeyFromItsRawPublicBytes() {
        assertTrue(Ed25519.verify(Ed25519.publicKey(PUBLIC_1), MESSAGE_1, SIGNATURE_1));
    }

    @Test
    void verifiesRfc8032Test2WithTheKeyFromItsRawPublicBytes() {
        assertTrue(Ed25519.verify(Ed25519.publicKey(PUBLIC_2), MESSAGE_2, SIGNATURE_2));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 7, 255, 256, 511})
    void rejectsTheRfcSignatureWithAnyBitFlipped(int bit) {
        assertFalse(Ed25519.verify(Ed25519.publicKey(PUBLIC_2), MESSAGE_2, flipBit(SIGNATURE_2, bit)));
    }

    @Test
    void rejectsTheRfcSignatureOverAMessageWithABitFlipped() {
        assertFalse(Ed25519.verify(Ed25519.publicKey(PUBLIC_2), flipBit(MESSAGE_2, 0), SIGNATURE_2));
    }

    @Test
    void rejectsTheRfcSignatureUnderTheOtherRfcKey() {
        assertFalse(Ed25519.verify(Ed25519.publicKey(PUBLIC_1), MESSAGE_2, SIGNATURE_2));
    }

    @Test
    void rejectsTheRfcSignatureUnderThePublicKeyWithTheXParityBitFlipped() {
        byte[] negated = flipBit(PUBLIC_2, 255);

        assertFalse(Ed25519.verify(Ed25519.publicKey(negated), MESSAGE_2, SIGNATURE_2));
    }

    @Test
    void answersFalseRatherThanThrowingForASignatureOfTheWrongLength() {
        assertFalse(Ed25519.verify(Ed25519.publicKey(PUBLIC_1), MESSAGE_1, new byte[10]));
    }

    @Test
    void derivesTheRfcPublicKeysFromTheirSeeds() {
        assertArrayEquals(PUBLIC_1, Ed25519.privateKey(SECRET_1).generatePublicKey().getEncoded());
        assertArrayEquals(PUBLIC_2, Ed25519.privateKey(SECRET_2).generatePublicKey().getEncoded());
    }

    @Test
    void generatedKeysSignWithTheSeedAndVerifyWithTheEncodedPublicKey() {
        byte[] message = "tocsin".getBytes();
        for (int i = 0; i < 16; i++) {
            byte[][] pair = Ed25519.generate();
            assertEquals(32, pair[0].length);
            assertEquals(32, pair[1].length);

            byte[] signature = Ed25519.sign(Ed25519.privateKey(pair[0]), message);

            assertTrue(Ed25519.verify(Ed25519.publicKey(pair[1]), message, signature));
            assertFalse(Ed25519.verify(Ed25519.publicKey(pair[1]), flipBit(message, 3), signature));
            assertArrayEquals(pair[1], Ed25519.privateKey(pair[0]).generatePublicKey().getEncoded());
        }
    }

    @Test
    void generatesADifferentKeyEachTime() {
        assertFalse(java.util.Arrays.equals(Ed25519.generate()[0], Ed25519.generate()[0]));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 31, 33, 64})
    void refusesAPrivateKeyThatIsNot32Bytes(int length) {
        assertThrows(IllegalArgumentException.class, () -> Ed25519.privateKey(new byte[length]));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 31, 33, 64})
    void refusesAPublicKeyThatIsNot32Bytes(int length) {
        assertThrows(IllegalArgumentException.class, () -> Ed25519.publicKey(new byte[length]));
    }
}
