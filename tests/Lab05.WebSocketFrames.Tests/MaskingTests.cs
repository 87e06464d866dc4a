namespace Lab05.WebSocketFrames.Tests;

/// <summary>
/// Masking (RFC 6455 §5.3; notebook 05 §3): byte i XOR key octet
/// (offset + i) mod 4. The scalar version (step 1) is checked against the
/// RFC's example and the test's own XOR; the vectorised one (step 2) against
/// the same, at every length 0..300 and every offset, so each vector, word
/// and tail path is taken, then against the scalar one.
/// </summary>
public class MaskingTests
{
    private const string Read = "Notebook 05 §3; RFC 6455 §5.3";

    private const int MaxLength = 300;

    /// <summary>Keys whose octets are all different, the RFC's, and the extremes.</summary>
    private static readonly uint[] Keys = [Wire.RfcKey, 0x01020304, 0x80ff7f00, 0xffffffff, 0];

    private static byte[] Data(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    [Fact, Graded(1, Hint = Read)]
    public void ApplyScalar_masks_the_RFC_example_and_matches_the_definition_at_every_length_and_offset()
    {
        var hello = "Hello"u8.ToArray();
        int next = Masking.ApplyScalar(hello, Wire.RfcKey, 0);
        Wire.SameBytes(hello, Wire.Bytes("7f 9f 4d 51 58"), "step 1: Masking.ApplyScalar(\"Hello\", key 37 fa 21 3d, offset 0) (RFC 6455 §5.7)",
            Read + ". Byte i is XOR-ed with key octet i % 4, and octet 0 is the key's most significant byte, (byte)(key >> 24): 'H' 48 ^ 37 = 7f.");
        Check.Equal(next, 1, "step 1: the offset Masking.ApplyScalar returns after 5 bytes from offset 0", Read + ". It is (offset + data.Length) % 4.");

        foreach (uint key in Keys)
        {
            for (int offset = 0; offset < 4; offset++)
            {
                for (int length = 0; length <= MaxLength; length++)
                {
                    var data = Data(length, length);
                    var expected = Wire.Masked(data, key, offset);
                    int returned = Masking.ApplyScalar(data, key, offset);
                    string call = $"Masking.ApplyScalar({length} bytes, key {key:x8}, offset {offset})";
                    Wire.SameBytes(data, expected, $"step 1: {call}", Read + ". data[i] ^= key octet (offset + i) % 4.");
                    Check.Equal(returned, (offset + length) % 4, $"step 1: the offset returned by {call}",
                        Read + ". Return (offset + data.Length) % 4: the key octet the next byte of the payload needs.");
                }
            }
        }
    }

    [Fact, Graded(2, Hint = Read)]
    public void Apply_matches_the_definition_at_every_length_and_offset_and_touches_no_byte_outside_the_span()
    {
        // The span starts 0-3 bytes into a larger buffer, so blocks are not always aligned, and
        // guard bytes on both sides catch a vector or word written past either end.
        const byte Guard = 0xA5;
        foreach (uint key in Keys)
        {
            for (int offset = 0; offset < 4; offset++)
            {
                for (int length = 0; length <= MaxLength; length++)
                {
                    int start = (length + offset) % 4;
                    var buffer = new byte[start + length + 80];
                    Array.Fill(buffer, Guard);
                    var data = Data(length, length);
                    data.CopyTo(buffer, start);
                    var expected = Wire.Masked(data, key, offset);

                    int returned = Masking.Apply(buffer.AsSpan(start, length), key, offset);
                    string call = $"Masking.Apply({length} bytes, key {key:x8}, offset {offset})";
                    Wire.SameBytes(buffer.AsSpan(start, length), expected, $"step 2: {call}",
                        Read + ". The result must be that of ApplyScalar: rotate the key so that its first octet is the one data[0] needs (offset), " +
                        "XOR whole vectors, then 4-byte words, then the last 0-3 bytes one by one with the octets in order.");
                    Check.Equal(returned, (offset + length) % 4, $"step 2: the offset returned by {call}", Read + ". Return (offset + data.Length) % 4.");
                    for (int i = 0; i < buffer.Length; i++)
                    {
                        if ((i < start || i >= start + length) && buffer[i] != Guard)
                            Check.Fail(
                                $"step 2: {call} changed a byte outside the span: byte {i - start} relative to its start (the span has {length}) went from {Guard:x2} to {buffer[i]:x2}",
                                Read + ". Only whole vectors and words that fit in the span: loop while i <= data.Length - Vector<byte>.Count, then while i <= data.Length - 4.");
                    }
                }
            }
        }
    }

    [Fact, Graded(1, Hint = Read)]
    public void Apply_and_ApplyScalar_agree_at_every_length_and_offset()
    {
        var random = new Random(503);
        for (int round = 0; round < 4; round++)
        {
            uint key = (uint)random.NextInt64(0, 1L << 32);
            for (int offset = 0; offset < 4; offset++)
            {
                for (int length = 0; length <= MaxLength; length++)
                {
                    var scalar = Data(length, 1000 + length);
                    var vector = (byte[])scalar.Clone();
                    int scalarNext = Masking.ApplyScalar(scalar, key, offset);
                    int vectorNext = Masking.Apply(vector, key, offset);
                    string call = $"{length} bytes, key {key:x8}, offset {offset}";
                    Wire.SameBytes(vector, scalar, $"step 2: Masking.Apply against Masking.ApplyScalar ({call})",
                        Read + ". The two must give the same bytes; ApplyScalar is the reference.");
                    Check.Equal(vectorNext, scalarNext, $"step 2: the offsets Masking.Apply and Masking.ApplyScalar return ({call})", Read);
                }
            }
        }
    }

    [Fact, Graded(1, Hint = Read)]
    public void Unmasking_in_pieces_with_the_returned_offset_equals_unmasking_at_once()
    {
        const int Seed = 5031;
        var random = new Random(Seed);
        for (int trial = 0; trial < 200; trial++)
        {
            int length = trial < 100 ? random.Next(0, 200) : random.Next(200, 3000);
            uint key = (uint)random.NextInt64(0, 1L << 32);
            var payload = Data(length, trial);
            var expected = Wire.Masked(payload, key);

            foreach (bool scalar in new[] { true, false })
            {
                var data = (byte[])payload.Clone();
                var pieces = new List<string>();
                int at = 0, offset = 0;
                while (at < length)
                {
                    int piece = Math.Min(length - at, random.Next(0, 4) == 0 ? random.Next(1, 8) : random.Next(1, 200));
                    var span = data.AsSpan(at, piece);
                    offset = scalar ? Masking.ApplyScalar(span, key, offset) : Masking.Apply(span, key, offset);
                    pieces.Add(piece.ToString());
                    at += piece;
                }
                string name = scalar ? "ApplyScalar" : "Apply";
                Wire.SameBytes(data, expected,
                    $"step {(scalar ? 1 : 2)}: Masking.{name} on {length} bytes in pieces of {string.Join("+", pieces)}, each call given the offset the previous returned (seed {Seed}, trial {trial}, key {key:x8})",
                    Read + ". A payload arrives in pieces; the offset says which key octet the piece's first byte needs, and the return value is the offset for the next piece.");
            }
        }
    }

    [Fact, Graded(1, Hint = Read)]
    public void Masking_twice_with_the_same_key_and_offset_gives_the_original()
    {
        var random = new Random(5032);
        foreach (int length in new[] { 0, 1, 3, 4, 5, 15, 16, 17, 31, 33, 64, 65, 127, 1000, 65536 })
        {
            uint key = (uint)random.NextInt64(0, 1L << 32);
            int offset = random.Next(4);
            var original = Data(length, length);
            var data = (byte[])original.Clone();
            Masking.Apply(data, key, offset);
            if (length >= 4)
                Check.True(Wire.Difference(data, original) is not null,
                    $"step 2: Masking.Apply({length} bytes, key {key:x8}, offset {offset}) left the bytes unchanged", Read + ". Masking XORs every byte with a key octet.");
            Masking.Apply(data, key, offset);
            Wire.SameBytes(data, original, $"step 2: Masking.Apply twice ({length} bytes, key {key:x8}, offset {offset})",
                Read + ". x ^ k ^ k = x: masking is its own inverse, which is why one function both masks and unmasks.");
            Masking.ApplyScalar(data, key, offset);
            Masking.ApplyScalar(data, key, offset);
            Wire.SameBytes(data, original, $"step 1: Masking.ApplyScalar twice ({length} bytes, key {key:x8}, offset {offset})", Read + ". x ^ k ^ k = x.");
        }
    }

    // Given code: no points.

    [Fact]
    public void NewKey_differs_from_call_to_call()
    {
        var keys = Enumerable.Range(0, 64).Select(_ => Masking.NewKey()).ToList();
        Check.Equal(keys.Distinct().Count(), keys.Count, "Masking.NewKey: distinct keys in 64 calls",
            Read + " and §10.3: every frame a client sends needs a fresh, unpredictable key, so that a script cannot choose the bytes a proxy sees.");
    }

    [Fact]
    public void KeyOctet_takes_the_octets_in_wire_order()
    {
        var octets = Enumerable.Range(0, 4).Select(i => Masking.KeyOctet(Wire.RfcKey, i)).ToArray();
        Wire.SameBytes(octets, Wire.Bytes("37 fa 21 3d"), "Masking.KeyOctet(0x37fa213d, 0..3)", Read + ". Octet 0 is the most significant byte: the first on the wire.");
    }
}
