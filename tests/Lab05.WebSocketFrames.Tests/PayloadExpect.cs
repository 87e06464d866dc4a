using System.Diagnostics;
using System.Text;

namespace Lab05.WebSocketFrames.Tests;

/// <summary>
/// Assertions shared by the UTF-8, message, close, formatter and .NET tests:
/// bytes compared with the first difference shown in hex, and refusals
/// (an exception of the right kind, or a teaching failure). A
/// <see cref="NotImplementedException"/> always comes out unchanged, so an
/// unfinished step shows its own hint.
/// </summary>
internal static class PayloadExpect
{
    /// <summary>Bytes as "[81 05 48 ...]" with their count, cut after 32 bytes.</summary>
    public static string Show(ReadOnlySpan<byte> bytes) =>
        bytes.Length <= 32 ? $"{bytes.Length} bytes [{Wire.Hex(bytes)}]" : $"{bytes.Length} bytes [{Wire.Hex(bytes[..32])} …]";

    /// <summary>Text's UTF-8 bytes in hex, for messages about text.</summary>
    public static string ShowUtf8(string text) => Show(Encoding.UTF8.GetBytes(text));

    /// <summary>Fails unless the two byte sequences are equal; the message gives both and the first byte that differs.</summary>
    public static void SameBytes(ReadOnlySpan<byte> actual, ReadOnlySpan<byte> expected, string what, string why)
    {
        if (actual.SequenceEqual(expected))
            return;
        int at = actual.CommonPrefixLength(expected);
        Check.Fail($"{what}: expected {Show(expected)}, got {Show(actual)}; the first difference is at byte {at} " +
                   $"(expected {At(expected, at)}, got {At(actual, at)}).", why);
    }

    private static string At(ReadOnlySpan<byte> bytes, int index) => index < bytes.Length ? $"0x{bytes[index]:x2}" : "the end";

    /// <summary>
    /// Runs <paramref name="action"/> and expects a <see cref="WebSocketProtocolException"/>
    /// with <paramref name="expected"/>; returns it (its CloseCode is step 4's).
    /// </summary>
    public static WebSocketProtocolException Refused(Action action, ProtocolError expected, string what, string why)
    {
        string wanted = $"a WebSocketProtocolException with ProtocolError.{expected}";
        try
        {
            action();
        }
        catch (WebSocketProtocolException e) when (e.Error == expected)
        {
            return e;
        }
        catch (WebSocketProtocolException e)
        {
            Check.Fail($"{what}: expected {wanted}, got ProtocolError.{e.Error} (\"{e.Message}\").", why);
            throw;
        }
        catch (NotImplementedException)
        {
            throw;
        }
        catch (Exception e)
        {
            Check.Fail($"{what}: expected {wanted}, got {e.GetType().Name}: {e.Message}", why);
            throw;
        }
        Check.Fail($"{what}: expected {wanted}, but nothing was thrown.", why);
        throw new UnreachableException();
    }

    /// <summary>Runs <paramref name="action"/> and expects an <see cref="ArgumentException"/> (or a subclass).</summary>
    public static ArgumentException ArgumentError(Action action, string what, string why)
    {
        try
        {
            action();
        }
        catch (ArgumentException e)
        {
            return e;
        }
        catch (NotImplementedException)
        {
            throw;
        }
        catch (Exception e)
        {
            Check.Fail($"{what}: expected an ArgumentException (the caller asked for something no endpoint may send), got {e.GetType().Name}: {e.Message}", why);
            throw;
        }
        Check.Fail($"{what}: expected an ArgumentException (the caller asked for something no endpoint may send), but nothing was thrown.", why);
        throw new UnreachableException();
    }

    /// <summary>Runs <paramref name="action"/>, which must not throw a protocol error; fails with the error's message if it does.</summary>
    public static T NoProtocolError<T>(Func<T> action, string what, string why)
    {
        try
        {
            return action();
        }
        catch (WebSocketProtocolException e)
        {
            Check.Fail($"{what}: expected no error, got ProtocolError.{e.Error} (\"{e.Message}\").", why);
            throw;
        }
    }
}
