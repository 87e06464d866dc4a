namespace Lab05.WebSocketFrames.Tests;

/// <summary>
/// The frame header (RFC 6455 §5.2; notebook 05 §2): its size, writing it in
/// the minimal form (step 3) and reading it back (step 5), at the edges of
/// the 7-, 16- and 64-bit length forms, and the bits of the first two bytes.
/// </summary>
public class FrameHeaderTests
{
    private const string Read = "Notebook 05 §2; RFC 6455 §5.2";

    /// <summary>The edges of the three length forms, and the largest length a 64-bit one may carry.</summary>
    private static readonly long[] Lengths = [0, 1, 125, 126, 127, 65535, 65536, 1L << 32, long.MaxValue];

    private const uint Key = Wire.RfcKey;

    private static string Form(long length) => length <= 125 ? "7-bit" : length <= 0xFFFF ? "16-bit (126 + 2 bytes)" : "64-bit (127 + 8 bytes)";

    [Fact, Graded(1, Hint = Read)]
    public void SizeOf_counts_the_smallest_length_form_and_the_key()
    {
        foreach (long length in Lengths)
        {
            foreach (bool masked in new[] { false, true })
            {
                int expected = (length <= 125 ? 2 : length <= 0xFFFF ? 4 : 10) + (masked ? 4 : 0);
                Check.Equal(FrameHeader.SizeOf(length, masked), expected, $"step 3: FrameHeader.SizeOf({length}, masked: {masked})",
                    Read + $". {length} needs the {Form(length)} length form: 2 bytes, +2 for a 16-bit length (126..65535), +8 for a 64-bit one (65536 and up), +4 for a key.");
            }
        }
    }

    [Fact, Graded(1, Hint = Read)]
    public void WriteTo_writes_the_minimal_length_form_at_each_boundary()
    {
        foreach (long length in Lengths)
        {
            foreach (uint? key in new uint?[] { null, Key })
            {
                var header = new FrameHeader(Fin: true, Opcode.Binary, length, key);
                var expected = Wire.Header(0x82, length, key);
                var buffer = new byte[FrameHeader.MaxSize + 4];
                Array.Fill(buffer, (byte)0xEE);
                string call = $"new FrameHeader(Fin: true, Binary, {length}, {(key is null ? "no key" : $"key {key:x8}")}).WriteTo";
                int written = header.WriteTo(buffer);
                Check.Equal(written, expected.Length, $"step 3: the size {call} returns", Read + ". WriteTo returns the bytes it wrote: the header's Size.");
                Wire.SameBytes(buffer.AsSpan(0, expected.Length), expected, $"step 3: the bytes of {call}",
                    Read + $". {length} takes the {Form(length)} form, the smallest that holds it (\"the minimal number of bytes MUST be used\"); " +
                    "multi-byte lengths and the key are big-endian, and MASK is the top bit of byte 1.");
                Check.True(buffer.AsSpan(expected.Length).IndexOfAnyExcept((byte)0xEE) < 0,
                    $"step 3: {call} wrote past its {expected.Length} bytes: {Wire.Hex(buffer)}", Read);
            }
        }
    }

    [Fact, Graded(1, Hint = Read)]
    public void WriteTo_puts_FIN_RSV_and_the_opcode_in_the_first_byte()
    {
        for (int opcode = 0; opcode < 16; opcode++)
        {
            for (int rsv = 0; rsv < 8; rsv++)
            {
                foreach (bool fin in new[] { false, true })
                {
                    var header = new FrameHeader(fin, (Opcode)opcode, 5, null, (ReservedBits)(rsv << 4));
                    var buffer = new byte[FrameHeader.MaxSize];
                    header.WriteTo(buffer);
                    byte expected = (byte)((fin ? 0x80 : 0) | rsv << 4 | opcode);
                    Check.True(buffer[0] == expected && buffer[1] == 5,
                        $"step 3: FrameHeader(Fin: {fin}, opcode 0x{opcode:x}, 5 bytes, RSV {(ReservedBits)(rsv << 4)}).WriteTo: expected {expected:x2} 05, got {buffer[0]:x2} {buffer[1]:x2}",
                        Read + ". Byte 0 is FIN (0x80) | RSV1 (0x40) | RSV2 (0x20) | RSV3 (0x10) | the 4-bit opcode; ReservedBits values are already in place.");
                }
            }
        }
    }

    [Fact, Graded(1, Hint = Read)]
    public void TryRead_reads_each_boundary_header_and_stops_at_its_end()
    {
        foreach (long length in Lengths)
        {
            foreach (uint? key in new uint?[] { null, Key })
            {
                var headerBytes = Wire.Header(0x82, length, key);
                byte[] input = [.. headerBytes, 0xEE, 0xEE, 0xEE]; // the start of a payload follows
                string call = $"FrameHeader.TryRead({Wire.Hex(headerBytes)} ee ee ee)";
                bool complete = FrameHeader.TryRead(input, out var header, out int size);
                Check.True(complete, $"step 5: {call} returned false for a whole header", Read + ". The header is complete once 2 + 0/2/8 (length) + 0/4 (key) bytes are in.");
                Check.Equal(size, headerBytes.Length, $"step 5: the size {call} gives", Read + ". The size is the header's only: the payload starts right after it.");
                Check.Equal(header, new FrameHeader(true, Opcode.Binary, length, key), $"step 5: the header {call} reads",
                    Read + ". Lengths and the key are big-endian (BinaryPrimitives.ReadUInt16BigEndian/ReadUInt64BigEndian/ReadUInt32BigEndian).");
            }
        }
    }

    [Fact, Graded(1, Hint = Read)]
    public void TryRead_returns_false_for_every_proper_prefix_of_a_header()
    {
        foreach (long length in Lengths)
        {
            foreach (uint? key in new uint?[] { null, Key })
            {
                var headerBytes = Wire.Header(0x81, length, key);
                for (int n = 0; n < headerBytes.Length; n++)
                {
                    bool complete = FrameHeader.TryRead(headerBytes.AsSpan(0, n), out _, out _);
                    Check.True(!complete,
                        $"step 5: FrameHeader.TryRead on the first {n} of the {headerBytes.Length} bytes of the header {Wire.Hex(headerBytes)} returned true",
                        Read + ". Byte 1 says how long the header is (2, +2 for 126, +8 for 127, +4 when MASK is set); with fewer bytes return false and wait for more.");
                }
            }
        }
    }

    [Fact, Graded(1, Hint = Read)]
    public void TryRead_refuses_a_64_bit_length_with_the_top_bit_set()
    {
        foreach (var hex in new[] { "82 7f 80 00 00 00 00 00 00 00", "82 7f ff ff ff ff ff ff ff ff", "82 ff 80 00 00 00 00 00 00 01 37 fa 21 3d" })
        {
            Wire.Throws(() => FrameHeader.TryRead(Wire.Bytes(hex), out _, out _), ProtocolError.LengthTooLarge, CloseCode.ProtocolError,
                $"step 5: FrameHeader.TryRead({hex})",
                Read + ": for a 64-bit length \"the most significant bit MUST be 0\". Read it as a ulong and throw " +
                "new WebSocketProtocolException(ProtocolError.LengthTooLarge, ...) when it is over long.MaxValue.");
        }
    }

    [Fact, Graded(1, Hint = Read)]
    public void TryRead_refuses_lengths_not_in_their_minimal_form()
    {
        string[] headers =
        [
            "82 7e 00 00", "82 7e 00 05", "82 7e 00 7d", "82 fe 00 05 37 fa 21 3d",
            "82 7f 00 00 00 00 00 00 00 00", "82 7f 00 00 00 00 00 00 00 7d", "82 7f 00 00 00 00 00 00 00 7e",
            "82 7f 00 00 00 00 00 00 ff ff", "82 ff 00 00 00 00 00 00 01 00 37 fa 21 3d",
        ];
        foreach (var hex in headers)
        {
            Wire.Throws(() => FrameHeader.TryRead(Wire.Bytes(hex), out _, out _), ProtocolError.NonMinimalLength, CloseCode.ProtocolError,
                $"step 5: FrameHeader.TryRead({hex})",
                Read + ": \"the minimal number of bytes MUST be used to encode the length\": a 16-bit length under 126, or a 64-bit one under 65536, " +
                "is ProtocolError.NonMinimalLength.");
        }
    }

    [Fact, Graded(1, Hint = Read)]
    public void TryRead_reads_FIN_RSV_the_opcode_and_MASK_for_every_value()
    {
        for (int opcode = 0; opcode < 16; opcode++)
        {
            for (int rsv = 0; rsv < 8; rsv++)
            {
                foreach (bool fin in new[] { false, true })
                {
                    foreach (uint? key in new uint?[] { null, 0x0badf00d })
                    {
                        byte first = (byte)((fin ? 0x80 : 0) | rsv << 4 | opcode);
                        var bytes = Wire.Header(first, 5, key);
                        bool complete = FrameHeader.TryRead(bytes, out var header, out _);
                        var expected = new FrameHeader(fin, (Opcode)opcode, 5, key, (ReservedBits)(rsv << 4));
                        Check.True(complete && header == expected,
                            $"step 5: FrameHeader.TryRead({Wire.Hex(bytes)}): expected {expected}, got {(complete ? header.ToString() : "false")}",
                            Read + ". FIN is byte 0 & 0x80, RSV byte 0 & 0x70 (as ReservedBits), the opcode byte 0 & 0x0F, MASK byte 1 & 0x80. " +
                            "TryRead reads every opcode and RSV value; refusing reserved ones is the decoder's job (CheckHeader, step 6).");
                    }
                }
            }
        }
    }
}
