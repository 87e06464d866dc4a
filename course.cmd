@echo off
rem course.cmd: the course CLI (tools/Course) on Windows; the same as ./course.
set "COURSE_ROOT=%~dp0."
dotnet run --project "%~dp0tools\Course" -v q -- %*
