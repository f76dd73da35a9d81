-- a comment
SELECT /* inline */ 1 -- trailing
; /* multi
line */ SELECT "select", "from" FROM "table" WHERE "where" = 'x';;
