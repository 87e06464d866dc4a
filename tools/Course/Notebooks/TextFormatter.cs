using System.Collections;
using System.Globalization;

namespace Course.Notebooks;

/// <summary>
/// Turns a value into the text/plain a notebook shows for display(x) or a
/// cell's last expression: strings as they are, collections as a short list,
/// bytes as hex, anything else through ToString().
/// </summary>
public static class TextFormatter
{
    public const int MaxItems = 32;

    public static string Format(object? value) => value switch
    {
        null => "<null>",
        string s => s,
        byte[] bytes => FormatBytes(bytes),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        IDictionary dictionary => FormatDictionary(dictionary),
        IEnumerable items => FormatItems(items),
        _ => value.ToString() ?? value.GetType().Name,
    };

    private static string FormatBytes(byte[] bytes)
    {
        var shown = bytes.Take(MaxItems).Select(b => b.ToString("x2", CultureInfo.InvariantCulture));
        var more = bytes.Length > MaxItems ? $" … ({bytes.Length} bytes)" : "";
        return $"byte[{bytes.Length}] {string.Join(' ', shown)}{more}";
    }

    private static string FormatItems(IEnumerable items)
    {
        var list = new List<string>();
        var count = 0;
        foreach (var item in items)
        {
            if (count++ < MaxItems)
                list.Add(item is string s ? $"\"{s}\"" : Format(item));
        }
        var more = count > MaxItems ? $", … ({count} items)" : "";
        return $"[{string.Join(", ", list)}{more}]";
    }

    private static string FormatDictionary(IDictionary dictionary)
    {
        var entries = dictionary.Cast<DictionaryEntry>().Take(MaxItems).Select(e => $"{Format(e.Key)}: {Format(e.Value)}");
        return "{" + string.Join(", ", entries) + "}";
    }
}
