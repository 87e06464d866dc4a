namespace Sample;

// A sample solution file for the generator's tests (not compiled).
public static class Greeter
{
    public const string Greeting = "Hello";

    public static string Greet(string name)
    {
        // BEGIN SOLUTION
        if (string.IsNullOrWhiteSpace(name))
            throw new ArgumentException("A name is needed.", nameof(name));
        return $"{Greeting}, {name}!";
        // END SOLUTION
        // STARTER: throw new NotImplementedException("Sample · step 1: greet by name. Notebook 00 §1.");
    }

    // BEGIN SOLUTION
    private static int _greeted;
    // END SOLUTION

    public static int Count()
    {
        // STARTER: // TODO: count the greetings.
        // BEGIN SOLUTION
        return _greeted;
        // END SOLUTION
        // STARTER: return 0;
    }
}
