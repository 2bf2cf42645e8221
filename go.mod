module codebench

go 1.26
