"""The dialogue flows, one module each with its diagram; ``router`` decides which one answers."""
