"""Citizens' feedback (phản ánh, kiến nghị) and officers' answers."""
