public static class Nested
{
    public static int F()
    {
        // BEGIN SOLUTION
        var x = 1;
        // BEGIN SOLUTION
        return x;
        // END SOLUTION
        // END SOLUTION
    }
}
