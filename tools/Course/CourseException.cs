namespace Course;

/// <summary>
/// A problem with what the user asked for or with the course's own files
/// (unknown lab, missing notebook, malformed .ipynb, a marker without its END).
/// The CLI prints its message on one line and exits with code 2: no stack trace.
/// </summary>
public sealed class CourseException(string message) : Exception(message);
