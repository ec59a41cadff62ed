"""Privacy: the notice, the story-sharing choice, /mydata, /forget and retention."""
