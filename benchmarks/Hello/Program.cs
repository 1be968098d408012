System.Console.Out.Write("");
