using System.Text;

namespace Lab05.WebSocketFrames.Tests;

/// <summary>
/// Frames as the tests write them: hex strings ("81 05 48 65 6c 6c 6f"), the
/// examples of RFC 6455 §5.7, and the test's own encoder, written from the
/// RFC independently of the lab's, to check it against.
/// </summary>
internal static class Wire
{
    /// <summary>Bytes from hex pairs, spaces ignored: <c>Bytes("81 05")</c>.</summary>
    public static byte[] Bytes(string hex) => Convert.FromHexString(hex.Replace(" ", ""));

    /// <summary>Bytes as lower-case hex pairs separated by spaces.</summary>
    public static string Hex(ReadOnlySpan<byte> bytes) => string.Join(' ', bytes.ToArray().Select(b => b.ToString("x2")));

    /// <summary>The masking key of RFC 6455 §5.7's masked examples, 37 fa 21 3d.</summary>
    public const uint RfcKey = 0x37fa213d;

    /// <summary>RFC 6455 §5.7, "A single-frame unmasked text message".</summary>
    public static readonly byte[] UnmaskedHello = Bytes("81 05 48 65 6c 6c 6f");

    /// <summary>RFC 6455 §5.7, "A single-frame masked text message".</summary>
    public static readonly byte[] MaskedHello = Bytes("81 85 37 fa 21 3d 7f 9f 4d 51 58");

    /// <summary>RFC 6455 §5.7, "A fragmented unmasked text message": "Hel", then "lo".</summary>
    public static readonly byte[] FragmentedHello = Bytes("01 03 48 65 6c 80 02 6c 6f");

    /// <summary>RFC 6455 §5.7, "Unmasked Ping request" with "Hello".</summary>
    public static readonly byte[] UnmaskedPing = Bytes("89 05 48 65 6c 6c 6f");

    /// <summary>RFC 6455 §5.7, "masked Ping response" (a pong) with "Hello".</summary>
    public static readonly byte[] MaskedPong = Bytes("8a 85 37 fa 21 3d 7f 9f 4d 51 58");

    /// <summary>The header RFC 6455 §5.7 gives for a 256-byte unmasked binary message.</summary>
    public static readonly byte[] Binary256Header = Bytes("82 7E 01 00");

    /// <summary>The header RFC 6455 §5.7 gives for a 64 KiB unmasked binary message.</summary>
    public static readonly byte[] Binary65536Header = Bytes("82 7F 00 00 00 00 00 01 00 00");

    /// <summary>
    /// The test's own encoder (RFC 6455 §5.2, §5.3), byte by byte: opcode
    /// and flags, the minimal length form, the key, the masked payload.
    /// </summary>
    public static byte[] Frame(int opcode, ReadOnlySpan<byte> payload, bool fin = true, uint? key = null, int rsv = 0) =>
        WireFrames.Frame((fin ? 0x80 : 0) | rsv << 4 | opcode, payload, key);

    /// <summary>
    /// A header by the test (RFC 6455 §5.2), for any length up to long.MaxValue:
    /// <paramref name="first"/> (FIN, RSV, opcode), MASK | the 7-bit length,
    /// the 16- or 64-bit length in the minimal form, the key.
    /// </summary>
    public static byte[] Header(int first, long length, uint? key = null) => WireFrames.Header(first, length, key);

    /// <summary>Printable ASCII, for text payloads: the decoder checks that text is UTF-8 as it arrives.</summary>
    public static byte[] Ascii(Random random, int length)
    {
        var bytes = new byte[length];
        for (int i = 0; i < length; i++)
            bytes[i] = (byte)random.Next(0x20, 0x7F);
        return bytes;
    }

    /// <summary>A text frame by the test's encoder.</summary>
    public static byte[] Text(string text, bool fin = true, uint? key = null) => Frame(0x1, Encoding.UTF8.GetBytes(text), fin, key);

    // Checks on bytes and frames, shared by the framing, masking and decoder tests.

    /// <summary>The test's own masking (RFC 6455 §5.3): byte i XOR key octet (offset + i) mod 4, octet j being (byte)(key &gt;&gt; (24 - 8j)).</summary>
    public static byte[] Masked(ReadOnlySpan<byte> data, uint key, int offset = 0)
    {
        var result = data.ToArray();
        WireFrames.Mask(result, key, offset);
        return result;
    }

    /// <summary>Bytes for a failure message: all of them up to 48, else the first 32 and the count.</summary>
    public static string Short(ReadOnlySpan<byte> bytes) =>
        bytes.Length <= 48 ? (bytes.IsEmpty ? "(no bytes)" : Hex(bytes)) : $"{Hex(bytes[..32])} ... ({bytes.Length} bytes)";

    /// <summary>Where <paramref name="actual"/> first differs from <paramref name="expected"/>, or null when they are equal.</summary>
    public static string? Difference(ReadOnlySpan<byte> actual, ReadOnlySpan<byte> expected)
    {
        if (actual.SequenceEqual(expected))
            return null;
        int common = Math.Min(actual.Length, expected.Length);
        for (int i = 0; i < common; i++)
        {
            if (actual[i] != expected[i])
                return $"the first difference is at byte {i}: expected {expected[i]:x2}, got {actual[i]:x2} " +
                       $"(bytes {Math.Max(0, i - 4)}.. expected {Around(expected, i)}, got {Around(actual, i)})";
        }
        return actual.Length == expected.Length ? null : $"expected {expected.Length} bytes, got {actual.Length} (the first {common} agree)";
    }

    private static string Around(ReadOnlySpan<byte> bytes, int at) => Hex(bytes[Math.Max(0, at - 4)..Math.Min(bytes.Length, at + 5)]);

    /// <summary>Fails with "{what}: expected ..., got ...; the first difference is at byte i ..." unless the bytes are equal.</summary>
    public static void SameBytes(ReadOnlySpan<byte> actual, ReadOnlySpan<byte> expected, string what, string why)
    {
        if (Difference(actual, expected) is string difference)
            Check.Fail($"{what}: expected {Short(expected)}, got {Short(actual)}; {difference}.", why);
    }

    /// <summary>A frame in one line, written by the test (not by FrameFormatter): <c>text FIN=1 len=5 [48 65 6c 6c 6f]</c>.</summary>
    public static string Describe(Frame frame) =>
        $"{frame.Opcode.Name()} FIN={(frame.Fin ? 1 : 0)}{(frame.Reserved == ReservedBits.None ? "" : $" RSV={frame.Reserved}")} " +
        $"len={frame.Payload.Length} [{Short(frame.Payload.Span)}]";

    /// <summary>Fails unless the frames have the same opcodes, FIN, RSV and payload bytes, in the same order.</summary>
    public static void SameFrames(IReadOnlyList<Frame> actual, IReadOnlyList<Frame> expected, string what, string why)
    {
        int common = Math.Min(actual.Count, expected.Count);
        for (int i = 0; i < common; i++)
        {
            Frame a = actual[i], e = expected[i];
            string? wrong = a.Opcode != e.Opcode ? "opcode"
                : a.Fin != e.Fin ? "FIN"
                : a.Reserved != e.Reserved ? "RSV bits"
                : Difference(a.Payload.Span, e.Payload.Span) is string difference ? "payload: " + difference
                : null;
            if (wrong is not null)
                Check.Fail($"{what}: frame {i} (of {expected.Count}) differs in its {wrong}; expected {Describe(e)}, got {Describe(a)}.", why);
        }
        if (actual.Count != expected.Count)
        {
            string next = actual.Count < expected.Count
                ? $"the first missing one is {Describe(expected[common])}"
                : $"the first extra one is {Describe(actual[common])}";
            Check.Fail($"{what}: expected {expected.Count} frame(s), got {actual.Count}; the first {common} agree and {next}.", why);
        }
    }

    /// <summary>The offsets in a stream where each of <paramref name="frames"/> ends, when they are sent one after the other.</summary>
    public static int[] Ends(IEnumerable<byte[]> frames)
    {
        int end = 0;
        return frames.Select(frame => end += frame.Length).ToArray();
    }

    /// <summary>Chunk ends that cut <paramref name="length"/> bytes into pieces of <paramref name="size"/> (the last may be shorter).</summary>
    public static IEnumerable<int> Every(int size, int length)
    {
        for (int end = Math.Min(size, length); ; end = Math.Min(end + size, length))
        {
            yield return end;
            if (end == length)
                yield break;
        }
    }

    /// <summary>
    /// Gives <paramref name="stream"/> to <paramref name="decoder"/> as the
    /// chunks that end at <paramref name="chunkEnds"/> (the last must be the
    /// stream's length), as a receive loop would: Decode on what is left of a
    /// chunk until it is all used. Checks Decode's contract on the way: it
    /// returns how many of the bytes it used (0 to all of them), a call that
    /// completes no frame uses all it was given, and a call that completes
    /// one stops exactly at that frame's end (<paramref name="frameEnds"/>,
    /// when given). A protocol error on a valid stream fails the test.
    /// </summary>
    public static List<Frame> Feed(FrameDecoder decoder, ReadOnlySpan<byte> stream, IEnumerable<int> chunkEnds, IReadOnlyList<int>? frameEnds, string context, string why)
    {
        var frames = new List<Frame>();
        int position = 0, stalls = 0;
        foreach (int end in chunkEnds)
        {
            while (position < end)
            {
                var input = stream[position..end];
                int used;
                Frame? frame;
                try
                {
                    used = decoder.Decode(input, out frame);
                }
                catch (Exception e) when (e is not NotImplementedException)
                {
                    Check.Fail($"step 8: {context}: FrameDecoder.Decode threw {(e is WebSocketProtocolException p ? $"{e.GetType().Name} ({p.Error})" : e.GetType().Name)} " +
                               $"on valid bytes at stream offset {position} (after {frames.Count} frame(s), given {input.Length} byte(s): {Short(input)}): {e.Message}", why);
                    throw;
                }
                if (used < 0 || used > input.Length)
                {
                    Check.Fail($"step 8: {context}: FrameDecoder.Decode was given {input.Length} byte(s) at stream offset {position} and returned {used}; " +
                               $"it returns how many of them it used (0 to {input.Length})", why);
                }
                if (frame is null && used != input.Length)
                {
                    Check.Fail($"step 8: {context}: FrameDecoder.Decode completed no frame but used only {used} of the {input.Length} byte(s) it was given at stream offset {position}; " +
                               "until a frame is complete, every byte belongs to it, so a call without a frame uses all its input", why);
                }
                position += used;
                stalls = used == 0 ? stalls + 1 : 0;
                if (stalls >= 3)
                    Check.Fail($"step 8: {context}: FrameDecoder.Decode used no bytes {stalls} times in a row at stream offset {position}", why);
                if (frame is null)
                    continue;
                frames.Add(frame);
                if (frameEnds is null)
                    continue;
                if (frames.Count > frameEnds.Count)
                {
                    Check.Fail($"step 8: {context}: FrameDecoder.Decode returned frame {frames.Count - 1} ({Describe(frame)}), " +
                               $"but the stream holds only {frameEnds.Count} frame(s)", why);
                }
                if (position != frameEnds[frames.Count - 1])
                {
                    Check.Fail($"step 8: {context}: the call that returned frame {frames.Count - 1} ({Describe(frame)}) ended at stream offset {position}; " +
                               $"that frame ends at {frameEnds[frames.Count - 1]}. A call uses bytes up to the end of the frame it completes, " +
                               "never past it (the rest is the next frame's)", why);
                }
            }
        }
        Check.True(position == stream.Length, $"test bug: the chunk ends stop at {position}, before the end of the {stream.Length}-byte stream", "Fix the test.");
        return frames;
    }

    /// <summary>
    /// Runs <paramref name="action"/> and returns the <see cref="WebSocketProtocolException"/>
    /// it throws, after checking its <see cref="ProtocolError"/> and, when given, its close code.
    /// Fails when nothing or something else is thrown; a NotImplementedException (a step not done yet) goes through as it is.
    /// </summary>
    public static WebSocketProtocolException Throws(Action action, ProtocolError expected, CloseCode? code, string what, string why)
    {
        try
        {
            action();
        }
        catch (WebSocketProtocolException e)
        {
            Check.True(e.Error == expected,
                $"{what}: expected WebSocketProtocolException with ProtocolError.{expected}, got ProtocolError.{e.Error} (\"{e.Message}\")", why);
            if (code is CloseCode c)
                Check.True(e.CloseCode == c,
                    $"{what}: the close code of ProtocolError.{expected}: expected {(int)c} ({c}), got {(int)e.CloseCode} ({e.CloseCode})",
                    why + ". The exception's CloseCode comes from ProtocolErrors.CloseCodeFor (step 4).");
            return e;
        }
        catch (Exception e) when (e is not NotImplementedException and not ShouldAssertException)
        {
            Check.Fail($"{what}: expected WebSocketProtocolException with ProtocolError.{expected}, got {e.GetType().Name}: {e.Message}", why);
        }
        Check.Fail($"{what}: expected WebSocketProtocolException with ProtocolError.{expected}, but nothing was thrown", why);
        throw new System.Diagnostics.UnreachableException();
    }
}
