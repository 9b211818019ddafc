// berth-controller: the command line and hosting are built in Hosting/ (issue 12).
Console.Error.WriteLine("berth-controller: not built yet (issue 12)");
return 2;
