module github.com/golemon/golemon

go 1.26.8

require github.com/gomlx/gomlx v0.28.6 // indirect
