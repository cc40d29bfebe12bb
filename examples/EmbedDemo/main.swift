print("EmbedDemo")
