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

    /// <summary>Fails unless the two byte sequences are equal (<see cref="Wire.SameBytes"/>: both, and the first byte that differs).</summary>
    public static void SameBytes(ReadOnlySpan<byte> actual, ReadOnlySpan<byte> expected, string what, string why) =>
        Wire.SameBytes(actual, expected, what, why);

    /// <summary>
    /// Runs <paramref name="action"/> and expects a <see cref="WebSocketProtocolException"/>
    /// with <paramref name="expected"/>; returns it (<see cref="Wire.Throws"/> without a close code to check).
    /// </summary>
    public static WebSocketProtocolException Refused(Action action, ProtocolError expected, string what, string why) =>
        Wire.Throws(action, expected, code: null, what, why);

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
